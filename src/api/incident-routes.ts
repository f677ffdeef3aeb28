import type { FastifyInstance } from 'fastify';

import { NotFoundError } from '../app-error.js';
import { readTimeline } from '../incidents/timeline.js';
import type { Db } from '../store/database.js';
import { resourcePath } from './resource-paths.js';
import { idParamsSchema } from './resource-schemas.js';

/** Incident views beyond CRUD. */
export function registerIncidentRoutes(app: FastifyInstance, db: Db): void {
  const path = resourcePath('incidents');

  app.get(
    `${path}:id/timeline/`,
    { schema: { tags: ['business-application'], params: idParamsSchema } },
    async (request) => {
      const { id } = request.params as { id: number };
      const exists = await db.selectFrom('incidents').select('id').where('id', '=', id).execute();
      if (exists.length === 0) throw new NotFoundError();
      const entries = await readTimeline(db, id);
      return { incident_id: id, count: entries.length, results: entries };
    },
  );
}

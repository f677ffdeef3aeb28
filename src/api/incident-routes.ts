import type { FastifyInstance } from 'fastify';

import { NotFoundError } from '../app-error.js';
import type { SplitRequest } from '../incidents/incident-split.js';
import { readTimeline } from '../incidents/timeline.js';
import type { Db } from '../store/database.js';
import { resourcePath } from './resource-paths.js';
import { idParamsSchema, idSchema } from './resource-schemas.js';

/** Incident operations beyond CRUD that the automation must serialise with its decisions. */
export interface IncidentOperations {
  split(request: SplitRequest): Promise<number>;
}

const splitSchema = {
  type: 'object',
  required: ['event_ids'],
  properties: { event_ids: { type: 'array', items: idSchema } },
};

/** Incident views and operations beyond CRUD. */
export function registerIncidentRoutes(
  app: FastifyInstance,
  db: Db,
  operations: IncidentOperations,
): void {
  const path = resourcePath('incidents');

  app.post(
    `${path}:id/split/`,
    { schema: { tags: ['business-application'], params: idParamsSchema, body: splitSchema } },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const { event_ids: eventIds } = request.body as { event_ids: number[] };
      const actor = request.apiToken?.name ?? 'api';
      const created = await operations.split({ incidentId: id, eventIds, actor });
      return reply.code(201).send({ incident_id: id, new_incident_id: created });
    },
  );

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

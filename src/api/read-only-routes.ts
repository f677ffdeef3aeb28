import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Clock } from '../clock.js';
import type { CurrentIndexes } from '../incidents/current-indexes.js';
import type { ResourceRegistry } from '../store/resource-registry.js';
import type { ResourceSerializer } from './resource-serializer.js';

/** What the views over the topology, the incidents and service health read. */
export interface TopologyViewDeps {
  readonly registry: ResourceRegistry;
  readonly views: CurrentIndexes;
  readonly serializer: ResourceSerializer;
  readonly clock: Clock;
  readonly baseUrl: string | null;
}

/** One read-only endpoint: a GET with its schema for validation and the API document. */
export interface ReadRoute {
  readonly url: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: Record<string, unknown>;
  readonly querystring?: Record<string, unknown>;
  readonly handle: (request: FastifyRequest) => Promise<unknown>;
}

/** A read-only endpoint answers any write with 405, as NetBox does. */
async function notAllowed(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(405)
    .header('allow', 'GET, HEAD')
    .send({ detail: `Method "${request.method}" not allowed.` });
}

/** Registers a GET endpoint, and 405 for POST, PUT, PATCH and DELETE at the same path. */
export function registerReadRoute(app: FastifyInstance, route: ReadRoute): void {
  const schema = {
    tags: [...route.tags],
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    ...(route.params === undefined ? {} : { params: route.params }),
    ...(route.querystring === undefined ? {} : { querystring: route.querystring }),
  };
  app.get(route.url, { schema }, (request) => route.handle(request));
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: route.url, schema: { hide: true }, handler: notAllowed });
  }
}

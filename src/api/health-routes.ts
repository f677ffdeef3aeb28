import type { FastifyInstance } from 'fastify';

/** Resolves when the service can answer requests (database reachable); rejects otherwise. */
export type ReadinessCheck = () => Promise<Record<string, unknown>>;

/** Liveness and readiness probes, without authentication. */
export function registerHealthRoutes(app: FastifyInstance, ready: ReadinessCheck): void {
  app.get('/healthz', { schema: { tags: ['health'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['health'] } }, async (request, reply) => {
    try {
      return { status: 'ready', ...(await ready()) };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', detail: 'Database unreachable.' });
    }
  });
}

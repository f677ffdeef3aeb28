import type { FastifyInstance } from 'fastify';

/** Resolves when the service can answer requests (database reachable); rejects otherwise. */
export type ReadinessCheck = () => Promise<Record<string, unknown>>;

/** Thrown by a readiness check for a server that is up but not ready yet: its message says why. */
export class NotReadyError extends Error {}

/** Liveness and readiness probes, without authentication. */
export function registerHealthRoutes(app: FastifyInstance, ready: ReadinessCheck): void {
  app.get('/healthz', { schema: { tags: ['health'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['health'] } }, async (request, reply) => {
    try {
      return { status: 'ready', ...(await ready()) };
    } catch (error) {
      if (error instanceof NotReadyError) {
        return reply.code(503).send({ status: 'starting', detail: error.message });
      }
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', detail: 'Database unreachable.' });
    }
  });
}

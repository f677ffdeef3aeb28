import type { FastifyRequest } from 'fastify';

/** The absolute base for links: BASE_URL when set, else the scheme and host of the request. */
export function requestBaseUrl(request: FastifyRequest, configured: string | null): string {
  return configured ?? `${request.protocol}://${request.host}`;
}

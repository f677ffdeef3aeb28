import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AuthenticationError, PermissionDeniedError } from '../app-error.js';
import type { ApiToken, TokenStore } from './token-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiToken: ApiToken | null;
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Paths that need a token: the API, and PagerDuty's event path (`/v2/enqueue`). */
const GUARDED_PREFIXES = ['/api/', '/v2/'];

/** Paths under /api/ readable without a token: the API description only. */
const PUBLIC_PREFIXES = ['/api/schema', '/api/docs'];

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^(Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[2] ?? null;
}

/**
 * Every /api/ (and /v2/) request needs `Authorization: Token <key>` (or `Bearer <key>`): 401
 * without or with a bad key, 403 for a write with a read-only token.
 */
export function registerAuth(app: FastifyInstance, tokens: TokenStore): void {
  app.decorateRequest('apiToken', null);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    const guarded = GUARDED_PREFIXES.some((p) => path.startsWith(p));
    if (!guarded || PUBLIC_PREFIXES.some((p) => path.startsWith(p))) return;

    const key = presentedKey(request);
    if (key === null) {
      throw new AuthenticationError('Authentication credentials were not provided.');
    }
    const check = await tokens.check(key);
    if (!check.ok) {
      throw new AuthenticationError(check.reason === 'expired' ? 'Token expired' : 'Invalid token');
    }
    if (WRITE_METHODS.has(request.method) && !check.token.writeEnabled) {
      throw new PermissionDeniedError('This token does not have write permission.');
    }
    request.apiToken = check.token;
  });
}

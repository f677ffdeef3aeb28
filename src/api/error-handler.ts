import { randomUUID } from 'node:crypto';

import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance } from 'fastify';

import { AppError, ValidationError } from '../app-error.js';
import { toFieldErrors } from './schema-validation.js';

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const BODY_LIMIT_TEXT = 'Request body is larger than 1 MiB.';

/** Errors raised by Fastify itself (parsing, limits, schema validation) in NetBox's shape. */
function frameworkAnswer(error: FastifyError, body: unknown): Answer | null {
  if (error.validation !== undefined) {
    // A malformed id in the path names no object: NetBox answers 404.
    if (error.validationContext === 'params')
      return { status: 404, body: { detail: 'Not found.' } };
    const fields = toFieldErrors(error.validation as ErrorObject[], body);
    return { status: 400, body: fields };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { detail: BODY_LIMIT_TEXT } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { detail: error.message } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { detail: 'JSON parse error - the body is empty.' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { detail: `JSON parse error - ${error.message}` } };
    default:
      break;
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return { status: 400, body: { detail: `JSON parse error - ${error.message}` } };
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { detail: error.message } };
  }
  return null;
}

/**
 * The one place where errors become HTTP answers: `{"field": [...]}` for validation, otherwise
 * `{"detail": "..."}`. Unexpected errors are logged with an id and answered 500 with that id,
 * never with their message.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ValidationError) return reply.code(400).send(error.fields);
    if (error instanceof AppError) {
      return reply.code(error.status).send({ detail: error.message });
    }
    const answer = frameworkAnswer(error, request.body);
    if (answer !== null) return reply.code(answer.status).send(answer.body);

    const errorId = randomUUID();
    request.log.error({ err: error, error_id: errorId }, 'request failed');
    return reply.code(500).send({ detail: 'Server error.', error_id: errorId });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not found.' }));
}

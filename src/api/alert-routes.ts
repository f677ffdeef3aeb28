import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preValidationAsyncHookHandler,
} from 'fastify';

import { AuthenticationError } from '../app-error.js';
import type { AlertSource } from '../config/settings.js';
import type { AlertFormat } from '../ingest/alert-format.js';
import type { AlertIntake } from '../ingest/alert-intake.js';
import {
  alertmanagerAlerts,
  alertmanagerFormat,
  alertmanagerWebhookSchema,
  type AlertmanagerWebhook,
} from '../ingest/alertmanager/alertmanager-webhook.js';
import { capacitorFormat } from '../ingest/capacitor/capacitor-alert.js';
import { emailFormat } from '../ingest/email/email-alert.js';
import { genericFormat } from '../ingest/generic/generic-alert.js';
import { pagerdutyEventSchema } from '../ingest/pagerduty/pagerduty-event.js';
import { signalfxFormat } from '../ingest/signalfx/signalfx-alert.js';
import { alertAnswer, alertMapper, ingestEach, schemaChecker } from './alert-mapping.js';
import { pagerdutyHandler } from './pagerduty-handler.js';
import { RateLimiter } from './rate-limiter.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { hasValidSignature } from './webhook-signature.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for signatures (alert routes only). */
    rawBody?: Buffer;
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Formats that take one alert, or a JSON list of them as a batch. */
const SINGLE_ALERT_FORMATS: readonly AlertFormat[] = [
  genericFormat,
  capacitorFormat,
  signalfxFormat,
  emailFormat,
];

/** One alert: 201; a list: 200 with each item accepted or rejected on its own. */
function singleOrBatch(format: AlertFormat, intake: AlertIntake): Handler {
  const map = alertMapper(format, intake);
  return async (request, reply) => {
    if (Array.isArray(request.body)) {
      return reply.code(200).send(await ingestEach(intake, request.body, map));
    }
    const mapped = map(request.body);
    if ('errors' in mapped) return reply.code(400).send({ errors: mapped.errors });
    return reply.code(201).send(alertAnswer(await intake.record(mapped.input)));
  };
}

/** A group notification: each of its alerts accepted or rejected on its own. */
function alertmanagerHandler(intake: AlertIntake): Handler {
  const checkWebhook = schemaChecker(alertmanagerWebhookSchema);
  // The webhook's check went through its alerts (and the group each carries) for what no
  // database stores, deeper counted from the body: each alert is not walked again.
  const map = alertMapper(alertmanagerFormat, intake, { limits: false });
  return async (request, reply) => {
    const errors = checkWebhook(request.body);
    if (Object.keys(errors).length > 0) return reply.code(400).send({ errors });
    const alerts = alertmanagerAlerts(request.body as AlertmanagerWebhook);
    return reply.code(200).send(await ingestEach(intake, alerts, map));
  };
}

/** JSON bodies are parsed as everywhere, and also kept as received for signature checks. */
function keepRawBody(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    parseJson(request, (body as Buffer).toString('utf8'), done);
  });
}

const NO_BODY = Buffer.alloc(0);

/** With a secret for the source, a request must be signed with it; else 401, nothing stored. */
function signatureCheck(secret: string | undefined): preValidationAsyncHookHandler[] {
  if (secret === undefined) return [];
  return [
    async (request) => {
      if (!hasValidSignature(request.headers, request.rawBody ?? NO_BODY, secret)) {
        throw new AuthenticationError('Missing or invalid webhook signature.');
      }
    },
  ];
}

/** Per-token rate limit on every alert route; headers on every answer. */
function limitRate(scope: FastifyInstance, limiter: RateLimiter): void {
  scope.addHook('onRequest', async (request, reply) => {
    const token = request.apiToken;
    // The key prefix too: a token id can come back after tokens are deleted.
    const key = token === null ? `ip:${request.ip}` : `token:${token.id}:${token.keyPrefix}`;
    const decision = limiter.take(key);
    reply.header('X-RateLimit-Limit', limiter.perMinute);
    reply.header('X-RateLimit-Remaining', decision.remaining);
    if (decision.allowed) return;
    const wait = decision.retryAfterSeconds;
    await reply
      .code(429)
      .header('Retry-After', wait)
      .send({ detail: `Request was throttled. Expected available in ${wait} seconds.` });
    return reply;
  });
}

/** A validator that lets every body through to a handler that checks it. */
const acceptAnyBody = () => () => true;

/** Where PagerDuty's own clients send events. */
const PAGERDUTY_ENQUEUE_PATH = '/v2/enqueue';

/**
 * Alert ingestion under /alerts/<source>/ (and PagerDuty's /v2/enqueue): each alert validated
 * alone and recorded through the event pipeline.
 */
export async function registerAlertRoutes(app: FastifyInstance, intake: AlertIntake) {
  const { settings } = intake;
  await app.register(async (scope) => {
    keepRawBody(scope);
    if (settings.rateLimitPerMinute !== null) {
      limitRate(
        scope,
        new RateLimiter(settings.rateLimitPerMinute, settings.rateLimitBurst, intake.clock),
      );
    }
    const post = (source: AlertSource, path: string, body: unknown, handler: Handler) =>
      scope.post(
        path,
        {
          // The schema documents the body; the handler checks each alert itself (a batch item
          // by item, with the format's own rules), so the route does not validate it twice.
          schema: { tags: ['alerts'], body },
          validatorCompiler: acceptAnyBody,
          preValidation: signatureCheck(settings.webhookSecrets[source]),
        },
        handler,
      );
    const path = (source: AlertSource) => `${PLUGIN_PREFIX}alerts/${source}/`;

    for (const format of SINGLE_ALERT_FORMATS) {
      const body = { anyOf: [format.schema, { type: 'array' }] };
      post(format.source, path(format.source), body, singleOrBatch(format, intake));
    }
    post(
      'alertmanager',
      path('alertmanager'),
      alertmanagerWebhookSchema,
      alertmanagerHandler(intake),
    );
    const pagerduty = pagerdutyHandler(intake);
    post('pagerduty', path('pagerduty'), pagerdutyEventSchema, pagerduty);
    post('pagerduty', PAGERDUTY_ENQUEUE_PATH, pagerdutyEventSchema, pagerduty);
  });
}

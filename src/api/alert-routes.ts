import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { FieldErrors } from '../app-error.js';
import type { Clock } from '../clock.js';
import type { EventInput, EventOutcome } from '../events/event-input.js';
import type { EventPipeline } from '../events/event-pipeline.js';
import {
  checkGeneric,
  genericAlertSchema,
  genericToEvent,
  type GenericAlert,
} from '../ingest/generic/generic-alert.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { compileBodyValidator, toFieldErrors } from './schema-validation.js';

type Mapping = { input: EventInput } | { errors: FieldErrors };

/** A monitoring tool's payload format: its schema, further checks, and its mapping. */
interface AlertFormat {
  readonly path: string;
  readonly schema: Record<string, unknown>;
  /** Checks the schema cannot express; runs on invalid payloads too, to name every field. */
  check(payload: Record<string, unknown>, clock: Clock): FieldErrors;
  toEvent(payload: unknown, clock: Clock): EventInput;
}

const GENERIC: AlertFormat = {
  path: 'generic',
  schema: genericAlertSchema,
  check: (payload, clock) => checkGeneric(payload, clock),
  toEvent: (payload, clock) => genericToEvent(payload as GenericAlert, clock),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function answer(outcome: EventOutcome) {
  return {
    status: 'success',
    event_id: outcome.eventId,
    incident_id: outcome.incidentId,
    message: 'Alert processed successfully',
    ...(outcome.warning === null ? {} : { warning: outcome.warning }),
  };
}

/**
 * Alert ingestion under /alerts/<source>/: each alert is validated alone and goes through the
 * event pipeline. A JSON list is a batch: every item stands or falls on its own.
 */
export function registerAlertRoutes(
  app: FastifyInstance,
  pipeline: EventPipeline,
  clock: Clock,
): void {
  for (const format of [GENERIC]) {
    const validate = compileBodyValidator(format.schema);
    const map = (payload: unknown): Mapping => {
      const errors = validate(payload) ? {} : (toFieldErrors(validate.errors ?? []) as FieldErrors);
      if (isObject(payload)) {
        for (const [field, messages] of Object.entries(format.check(payload, clock))) {
          errors[field] = [...(errors[field] ?? []), ...messages];
        }
      }
      if (Object.keys(errors).length > 0) return { errors };
      return { input: format.toEvent(payload, clock) };
    };

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!Array.isArray(request.body)) {
        const mapped = map(request.body);
        if ('errors' in mapped) return reply.code(400).send({ errors: mapped.errors });
        return reply.code(201).send(answer(await pipeline.record({ input: mapped.input })));
      }
      const items = request.body.map((item) => map(item));
      const accepted = await Promise.all(
        items.map(async (mapped, index) => {
          if ('errors' in mapped) return null;
          const outcome = await pipeline.record({ input: mapped.input });
          return { index, event_id: outcome.eventId, incident_id: outcome.incidentId };
        }),
      );
      const rejected = items.flatMap((mapped, index) =>
        'errors' in mapped ? [{ index, errors: mapped.errors }] : [],
      );
      return reply.code(200).send({ accepted: accepted.filter((a) => a !== null), rejected });
    };

    app.post(
      `${PLUGIN_PREFIX}alerts/${format.path}/`,
      {
        schema: { tags: ['alerts'], body: { anyOf: [format.schema, { type: 'array' }] } },
        attachValidation: true,
      },
      handler,
    );
  }
}

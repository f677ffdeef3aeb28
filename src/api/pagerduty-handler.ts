import type { FastifyReply, FastifyRequest } from 'fastify';

import type { EventOutcome } from '../events/event-input.js';
import type { AlertIntake } from '../ingest/alert-intake.js';
import {
  PAGERDUTY_SOURCE,
  pagerdutyFormat,
  timeOfPayload,
  withoutRoutingKey,
  type PagerdutyEvent,
} from '../ingest/pagerduty/pagerduty-event.js';
import { alertChecker } from './alert-mapping.js';

/** PagerDuty's own answer to an accepted event, with what Faultline made of it. */
function accepted(dedupKey: string, eventId: number | null, incidentId: number | null) {
  return {
    status: 'success',
    message: 'Event processed',
    dedup_key: dedupKey,
    event_id: eventId,
    incident_id: incidentId,
  };
}

const withWarning = (warning: string | null) => (warning === null ? {} : { warning });

function fromOutcome(dedupKey: string, outcome: EventOutcome) {
  return {
    ...accepted(dedupKey, outcome.eventId, outcome.incidentId),
    ...withWarning(outcome.warning),
  };
}

const unknownAlert = (dedupKey: string) => `no alert with dedup_key ${dedupKey}; nothing changed`;

/** A resolve clears the stored alert, keeping its message and criticality. */
async function resolve(intake: AlertIntake, event: PagerdutyEvent, dedupKey: string) {
  const stored = await intake.find(PAGERDUTY_SOURCE, dedupKey);
  if (stored === null)
    return { ...accepted(dedupKey, null, null), warning: unknownAlert(dedupKey) };
  const outcome = await intake.record({
    source: { name: PAGERDUTY_SOURCE },
    dedupId: dedupKey,
    message: stored.message,
    status: 'ok',
    criticality: stored.criticality,
    target: null,
    time: timeOfPayload(event, intake.clock),
    raw: withoutRoutingKey(event),
  });
  return fromOutcome(dedupKey, outcome);
}

/** An acknowledge moves the incident holding the alert to investigating. */
async function acknowledge(intake: AlertIntake, dedupKey: string, actor: string) {
  const ack = await intake.acknowledge(PAGERDUTY_SOURCE, dedupKey, actor);
  const answer = accepted(dedupKey, ack.eventId, ack.incidentIds[0] ?? null);
  return { ...answer, ...withWarning(ack.eventId === null ? unknownAlert(dedupKey) : null) };
}

/**
 * PagerDuty Events API v2 (`alerts/pagerduty/` and `/v2/enqueue`): 202 as PagerDuty answers,
 * 400 with every bad field named.
 */
export function pagerdutyHandler(intake: AlertIntake) {
  const check = alertChecker(pagerdutyFormat, intake);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const errors = check(request.body);
    if (Object.keys(errors).length > 0) {
      return reply
        .code(400)
        .send({ status: 'invalid event', message: 'Event object is invalid', errors });
    }
    const event = request.body as PagerdutyEvent;
    switch (event.event_action) {
      case 'trigger': {
        const input = pagerdutyFormat.toEvent(event, intake);
        return reply.code(202).send(fromOutcome(input.dedupId, await intake.record(input)));
      }
      case 'resolve':
        return reply.code(202).send(await resolve(intake, event, event.dedup_key!));
      default: {
        const actor = request.apiToken?.name ?? 'api';
        return reply.code(202).send(await acknowledge(intake, event.dedup_key!, actor));
      }
    }
  };
}

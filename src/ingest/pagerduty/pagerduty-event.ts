import { randomUUID } from 'node:crypto';

import type { FieldErrors } from '../../app-error.js';
import type { Clock } from '../../clock.js';
import type { AlertFormat } from '../alert-format.js';
import {
  checkDedupId,
  checkTimestamp,
  isObject,
  shortenMessage,
  targetOf,
  timeOf,
  toSeverity,
} from '../alert-rules.js';

/** PagerDuty Events API v2: one event about one alert, named by its dedup_key. */
export const pagerdutyEventSchema = {
  type: 'object',
  required: ['routing_key', 'event_action'],
  properties: {
    routing_key: { type: 'string', minLength: 1 },
    event_action: { type: 'string', enum: ['trigger', 'acknowledge', 'resolve'] },
    dedup_key: { type: 'string' },
    payload: {
      type: 'object',
      required: ['summary', 'source', 'severity'],
      properties: {
        summary: { type: 'string', minLength: 1, maxLength: 1024 },
        source: { type: 'string', minLength: 1, maxLength: 255 },
        severity: { type: 'string', enum: ['critical', 'error', 'warning', 'info'] },
        timestamp: { type: 'string' },
        component: { type: 'string' },
        group: { type: 'string' },
        class: { type: 'string' },
        custom_details: {},
      },
    },
    client: { type: 'string' },
    client_url: { type: 'string' },
    images: { type: 'array' },
    links: { type: 'array' },
  },
} as const;

export interface PagerdutyPayload {
  summary: string;
  source: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  custom_details?: unknown;
}

export interface PagerdutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  payload?: PagerdutyPayload;
  client?: string;
  client_url?: string;
}

/** The event source of every alert received through the Events API. */
export const PAGERDUTY_SOURCE = 'pagerduty';

function checkEvent(event: Partial<PagerdutyEvent>, clock: Clock): FieldErrors {
  const errors: FieldErrors = {};
  const action = event.event_action;
  if (action === 'trigger' && event.payload === undefined) {
    errors.payload = ['This field is required.'];
  }
  if ((action === 'acknowledge' || action === 'resolve') && event.dedup_key === undefined) {
    errors.dedup_key = [`This field is required to ${action}.`];
  }
  if (typeof event.dedup_key === 'string') checkDedupId(event.dedup_key, errors, 'dedup_key');
  if (isObject(event.payload) && typeof event.payload.timestamp === 'string') {
    const time = checkTimestamp(event.payload.timestamp, clock);
    if ('error' in time) errors['payload.timestamp'] = [time.error];
  }
  return errors;
}

/** The event as sent, but for its routing key: a credential, not something to show. */
export function withoutRoutingKey(event: PagerdutyEvent): Omit<PagerdutyEvent, 'routing_key'> {
  const { routing_key: _key, ...rest } = event;
  return rest;
}

/** The event's own time (a payload's timestamp), or null. */
export function timeOfPayload(event: PagerdutyEvent, clock: Clock): string | null {
  return timeOf(event.payload?.timestamp, clock);
}

/** The dedup key of an event; PagerDuty makes one up for a trigger that has none. */
export function dedupKeyOf(event: PagerdutyEvent): string {
  return event.dedup_key ?? randomUUID().replace(/-/g, '');
}

/**
 * A trigger as an event: summary → message, severity critical/error/warning/info →
 * critical/high/medium/low, `source` (the affected system) → the device of that name.
 */
export const pagerdutyFormat: AlertFormat<PagerdutyEvent> = {
  source: 'pagerduty',
  schema: pagerdutyEventSchema,
  check: (event, { clock }) => checkEvent(event, clock),
  toEvent: (event, { clock }) => {
    const payload = event.payload!;
    return {
      source: { name: PAGERDUTY_SOURCE },
      dedupId: dedupKeyOf(event),
      message: shortenMessage(payload.summary),
      status: 'triggered',
      criticality: toSeverity(payload.severity)!,
      target: targetOf('device', payload.source),
      time: timeOfPayload(event, clock),
      raw: withoutRoutingKey(event),
    };
  },
};

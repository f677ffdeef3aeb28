import type { FieldErrors } from '../../app-error.js';
import type { Clock } from '../../clock.js';
import type { EventInput } from '../../events/event-input.js';
import type { AlertFormat } from '../alert-format.js';
import {
  checkDedupId,
  checkTimeField,
  shortenMessage,
  targetOf,
  timeOf,
  toSeverity,
} from '../alert-rules.js';

/** The plugin's documented generic alert payload. */
export const genericAlertSchema = {
  type: 'object',
  required: ['source', 'severity', 'status', 'message', 'dedup_id', 'target'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 64 },
    timestamp: { type: 'string' },
    severity: { type: 'string' },
    status: { type: 'string', enum: ['triggered', 'ok', 'suppressed'] },
    message: { type: 'string', minLength: 1 },
    dedup_id: { type: 'string' },
    target: {
      type: 'object',
      required: ['type', 'identifier'],
      properties: {
        type: { type: 'string', enum: ['device', 'vm', 'cluster', 'service'] },
        identifier: { type: 'string', minLength: 1, maxLength: 255 },
      },
    },
    raw_data: { type: 'object' },
  },
} as const;

export interface GenericAlert {
  source: string;
  timestamp?: string;
  severity: string;
  status: 'triggered' | 'ok' | 'suppressed';
  message: string;
  dedup_id: string;
  target: { type: 'device' | 'vm' | 'cluster' | 'service'; identifier: string };
  raw_data?: Record<string, unknown>;
}

/** What the schema cannot check, on whatever string fields are present. */
export function checkGeneric(payload: Partial<GenericAlert>, clock: Clock): FieldErrors {
  const errors: FieldErrors = {};
  if (typeof payload.severity === 'string' && toSeverity(payload.severity) === null) {
    errors.severity = [
      `"${payload.severity}" is not a valid choice: critical, high, medium, low ` +
        '(or warning, info, error).',
    ];
  }
  if (typeof payload.dedup_id === 'string') checkDedupId(payload.dedup_id, errors);
  checkTimeField(payload.timestamp, clock, errors, 'timestamp');
  return errors;
}

/** A valid generic alert as an EventInput. */
export function genericToEvent(alert: GenericAlert, clock: Clock): EventInput {
  return {
    source: { name: alert.source },
    dedupId: alert.dedup_id,
    message: shortenMessage(alert.message),
    status: alert.status,
    criticality: toSeverity(alert.severity)!,
    target: targetOf(alert.target.type, alert.target.identifier),
    time: timeOf(alert.timestamp, clock),
    raw: alert,
  };
}

/** `alerts/generic/`: the source is named in the payload. */
export const genericFormat: AlertFormat<GenericAlert> = {
  source: 'generic',
  schema: genericAlertSchema,
  check: (payload, { clock }) => checkGeneric(payload, clock),
  toEvent: (payload, { clock }) => genericToEvent(payload, clock),
};

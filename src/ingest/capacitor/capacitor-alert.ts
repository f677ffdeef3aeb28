import type { FieldErrors } from '../../app-error.js';
import type { Clock } from '../../clock.js';
import type { Severity } from '../../config/settings.js';
import type { AlertFormat } from '../alert-format.js';
import {
  checkDerivedDedupId,
  checkTimeField,
  shortenMessage,
  targetOf,
  timeOf,
} from '../alert-rules.js';

/** The plugin's documented Capacitor payload. */
export const capacitorAlertSchema = {
  type: 'object',
  required: ['alert_id', 'device_name', 'description', 'priority', 'state'],
  properties: {
    alert_id: { type: ['string', 'integer'], minLength: 1 },
    device_name: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', minLength: 1 },
    priority: { type: 'integer', minimum: 1, maximum: 5 },
    state: { type: 'string' },
    alert_time: { type: 'string' },
    metric_name: { type: 'string' },
    metric_value: { type: 'number' },
    threshold: { type: 'number' },
  },
} as const;

export interface CapacitorAlert {
  alert_id: string | number;
  device_name: string;
  description: string;
  priority: 1 | 2 | 3 | 4 | 5;
  state: string;
  alert_time?: string;
  metric_name?: string;
  metric_value?: number;
  threshold?: number;
}

const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

/** Priority 1 is the most urgent. */
const PRIORITY_SEVERITY: Readonly<Record<number, Severity>> = {
  1: 'critical',
  2: 'high',
  3: 'medium',
  4: 'low',
  5: 'low',
};

const DEDUP_PREFIX = 'capacitor-';

function checkCapacitor(payload: Partial<CapacitorAlert>, clock: Clock): FieldErrors {
  const errors: FieldErrors = {};
  if (typeof payload.state === 'string' && !STATES.includes(payload.state.toUpperCase())) {
    errors.state = [`"${payload.state}" is not a valid choice: ${STATES.join(', ')}.`];
  }
  checkDerivedDedupId(DEDUP_PREFIX, payload.alert_id, errors, 'alert_id');
  checkTimeField(payload.alert_time, clock, errors, 'alert_time');
  return errors;
}

/**
 * `alerts/capacitor/`: an alarm on a device. ALARM is triggered, OK and INSUFFICIENT_DATA clear
 * it (the plugin's mapping); the state is kept upper-case in raw.
 */
export const capacitorFormat: AlertFormat<CapacitorAlert> = {
  source: 'capacitor',
  schema: capacitorAlertSchema,
  check: (payload, { clock }) => checkCapacitor(payload, clock),
  toEvent: (alert, { clock }) => {
    const state = alert.state.toUpperCase();
    return {
      source: { name: 'capacitor' },
      dedupId: `${DEDUP_PREFIX}${alert.alert_id}`,
      message: shortenMessage(alert.description),
      status: state === 'ALARM' ? 'triggered' : 'ok',
      criticality: PRIORITY_SEVERITY[alert.priority] ?? 'medium',
      target: targetOf('device', alert.device_name),
      time: timeOf(alert.alert_time, clock),
      raw: { ...alert, state },
    };
  },
};

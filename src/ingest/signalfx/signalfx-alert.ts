import type { FieldErrors } from '../../app-error.js';
import type { Clock } from '../../clock.js';
import type { Severity } from '../../config/settings.js';
import type { EventStatus } from '../../events/event-specs.js';
import type { AlertFormat } from '../alert-format.js';
import {
  checkDerivedDedupId,
  checkTimestamp,
  shortenMessage,
  targetOf,
  toSeverity,
} from '../alert-rules.js';

/** The plugin's documented SignalFx payload. */
export const signalfxAlertSchema = {
  type: 'object',
  required: ['incidentId', 'alertState', 'alertMessage'],
  properties: {
    incidentId: { type: ['string', 'integer'], minLength: 1 },
    alertState: { type: 'string' },
    alertMessage: { type: 'string', minLength: 1 },
    severity: { type: 'string' },
    timestamp: { type: ['integer', 'string'] },
    dimensions: { type: 'object' },
    detectorName: { type: 'string' },
    detectorUrl: { type: 'string' },
    rule: { type: 'string' },
  },
} as const;

export interface SignalfxAlert {
  incidentId: string | number;
  alertState: string;
  alertMessage: string;
  severity?: string;
  /** Epoch milliseconds, or ISO 8601. */
  timestamp?: number | string;
  dimensions?: Record<string, unknown>;
  detectorName?: string;
  detectorUrl?: string;
  rule?: string;
}

/**
 * Detector states. Unlike the plugin, RESOLVED and STOPPED clear the event; SignalFx's own
 * ANOMALOUS, OK and MANUALLY_RESOLVED are understood too.
 */
const STATES: Readonly<Record<string, EventStatus>> = {
  TRIGGERED: 'triggered',
  ANOMALOUS: 'triggered',
  RESOLVED: 'ok',
  STOPPED: 'ok',
  OK: 'ok',
  MANUALLY_RESOLVED: 'ok',
};

/** The plugin reads a severity by its first three letters. */
const SEVERITY_PREFIXES: Readonly<Record<string, Severity>> = {
  cri: 'critical',
  hig: 'high',
  med: 'medium',
  low: 'low',
  war: 'medium',
};

function severityOf(value: string | undefined): Severity | null {
  if (value === undefined) return 'medium';
  return toSeverity(value) ?? SEVERITY_PREFIXES[value.trim().toLowerCase().slice(0, 3)] ?? null;
}

function timeOf(value: number | string | undefined, clock: Clock) {
  if (value === undefined) return { time: null };
  const iso = typeof value === 'number' ? new Date(value).toISOString() : value;
  return checkTimestamp(iso, clock);
}

const DEDUP_PREFIX = 'signalfx-';

function checkSignalfx(payload: Partial<SignalfxAlert>, clock: Clock): FieldErrors {
  const errors: FieldErrors = {};
  const state = payload.alertState;
  if (typeof state === 'string' && STATES[state.toUpperCase()] === undefined) {
    errors.alertState = [`"${state}" is not a valid choice: ${Object.keys(STATES).join(', ')}.`];
  }
  if (typeof payload.severity === 'string' && severityOf(payload.severity) === null) {
    errors.severity = [`"${payload.severity}" is not a valid choice: critical, high, medium, low.`];
  }
  checkDerivedDedupId(DEDUP_PREFIX, payload.incidentId, errors, 'incidentId');
  const ts = payload.timestamp;
  const validMs = typeof ts === 'number' && Math.abs(ts) <= 8.64e15;
  if (typeof ts === 'string' || validMs) {
    const time = timeOf(ts, clock);
    if ('error' in time) errors.timestamp = [time.error];
  } else if (typeof ts === 'number') {
    errors.timestamp = ['Enter a valid time in epoch milliseconds.'];
  }
  return errors;
}

/** The target from the dimensions: a host, else a VM, else a service. */
function targetFrom(dimensions: Record<string, unknown> = {}) {
  const text = (key: string) => {
    const value = dimensions[key];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const host = text('host');
  if (host !== undefined) return targetOf('device', host);
  const vm = text('vm_name');
  if (vm !== undefined) return targetOf('vm', vm);
  return targetOf('service', text('service_name'));
}

/** `alerts/signalfx/`: a detector's incident. */
export const signalfxFormat: AlertFormat<SignalfxAlert> = {
  source: 'signalfx',
  schema: signalfxAlertSchema,
  check: (payload, { clock }) => checkSignalfx(payload, clock),
  toEvent: (alert, { clock }) => {
    const time = timeOf(alert.timestamp, clock);
    return {
      source: { name: 'signalfx' },
      dedupId: `${DEDUP_PREFIX}${alert.incidentId}`,
      message: shortenMessage(alert.alertMessage),
      status: STATES[alert.alertState.toUpperCase()]!,
      criticality: severityOf(alert.severity)!,
      target: targetFrom(alert.dimensions),
      time: 'time' in time ? time.time : null,
      raw: alert,
    };
  },
};

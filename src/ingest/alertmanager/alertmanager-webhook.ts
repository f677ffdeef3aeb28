import { createHash } from 'node:crypto';

import type { FieldErrors } from '../../app-error.js';
import type { Clock } from '../../clock.js';
import type { AlertFormat } from '../alert-format.js';
import {
  checkDedupId,
  checkTimeField,
  isObject,
  parseIsoTime,
  shortenMessage,
  timeOf,
  toSeverity,
} from '../alert-rules.js';
import { targetFromLabels } from './alertmanager-target.js';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** Prometheus Alertmanager's webhook body (payload version 4): a group of alerts. */
export const alertmanagerWebhookSchema = {
  type: 'object',
  required: ['alerts'],
  properties: {
    version: { type: 'string', enum: ['4'] },
    receiver: { type: 'string' },
    status: { type: 'string' },
    alerts: { type: 'array' },
    groupLabels: stringMap,
    commonLabels: stringMap,
    commonAnnotations: stringMap,
    externalURL: { type: 'string' },
    groupKey: { type: 'string' },
    truncatedAlerts: { type: 'integer' },
  },
} as const;

export interface AlertmanagerWebhook {
  version?: string;
  receiver?: string;
  status?: string;
  alerts: unknown[];
  groupLabels?: Record<string, string>;
  externalURL?: string;
  groupKey?: string;
}

/** One alert of the group. */
export const alertmanagerAlertSchema = {
  type: 'object',
  required: ['status', 'labels'],
  properties: {
    status: { type: 'string', enum: ['firing', 'resolved'] },
    labels: stringMap,
    annotations: stringMap,
    startsAt: { type: 'string' },
    endsAt: { type: 'string' },
    generatorURL: { type: 'string' },
    fingerprint: { type: 'string' },
  },
} as const;

/** What the group tells about each of its alerts, kept in raw. */
export interface AlertmanagerGroup {
  readonly receiver?: string;
  readonly groupKey?: string;
  readonly groupLabels?: Record<string, string>;
  readonly externalURL?: string;
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
  /** Added by alertmanagerAlerts: the group the alert came in. */
  group?: AlertmanagerGroup;
}

/** Each alert of a webhook body, carrying its group (items that are not objects stay as sent). */
export function alertmanagerAlerts(webhook: AlertmanagerWebhook): unknown[] {
  const { receiver, groupKey, groupLabels, externalURL } = webhook;
  const group: AlertmanagerGroup = { receiver, groupKey, groupLabels, externalURL };
  return webhook.alerts.map((alert) => (isObject(alert) ? { ...alert, group } : alert));
}

/**
 * Go's zero time (0001-01-01), which Alertmanager sends as the end of an alert still firing:
 * any time before 1970.
 */
const isUnset = (time: string | undefined) => time === undefined || parseIsoTime(time) < 0;

/** Alertmanager's own identity of the alert; from its labels if an old version sent none. */
function fingerprintOf(alert: AlertmanagerAlert): string {
  if (alert.fingerprint !== undefined) return alert.fingerprint;
  const labels = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/** When the alert started firing, or for a resolved one when it ended. */
function timeField(alert: Partial<AlertmanagerAlert>): 'startsAt' | 'endsAt' {
  return alert.status === 'resolved' && !isUnset(alert.endsAt) ? 'endsAt' : 'startsAt';
}

function checkAlert(alert: Partial<AlertmanagerAlert>, clock: Clock): FieldErrors {
  const errors: FieldErrors = {};
  if (typeof alert.fingerprint === 'string') checkDedupId(alert.fingerprint, errors, 'fingerprint');
  const field = timeField(alert);
  if (!isUnset(alert[field])) checkTimeField(alert[field], clock, errors, field);
  return errors;
}

function messageOf(alert: AlertmanagerAlert, fingerprint: string): string {
  const { summary, description } = alert.annotations ?? {};
  const text = [summary, description, alert.labels.alertname].find((t) => t?.trim());
  return shortenMessage(text ?? `Alertmanager alert ${fingerprint}`);
}

/**
 * One alert of an Alertmanager group as one event: its fingerprint is the dedup id, `firing`
 * is triggered and `resolved` ok, the `severity` label its criticality (medium when absent or
 * unknown), the target the first of the configured labels it has.
 */
export const alertmanagerFormat: AlertFormat<AlertmanagerAlert> = {
  source: 'alertmanager',
  schema: alertmanagerAlertSchema,
  check: (alert, { clock }) => checkAlert(alert, clock),
  toEvent: (alert, { clock, settings }) => {
    const { group, ...sent } = alert;
    const fingerprint = fingerprintOf(alert);
    const time = sent[timeField(alert)];
    return {
      source: { name: 'alertmanager' },
      dedupId: fingerprint,
      message: messageOf(alert, fingerprint),
      status: alert.status === 'firing' ? 'triggered' : 'ok',
      criticality: toSeverity(alert.labels.severity ?? '') ?? 'medium',
      target: targetFromLabels(alert.labels, settings.alertmanagerTargetLabels),
      time: isUnset(time) ? null : timeOf(time, clock),
      raw: { ...sent, ...group },
    };
  },
};

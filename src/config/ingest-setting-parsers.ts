import { InvalidValue, type RawValue } from './setting-parsers.js';
import {
  ALERT_SOURCES,
  ALERT_TARGET_KINDS,
  type AlertSource,
  type AlertTargetKind,
  type TargetLabel,
} from './settings.js';

/** A JSON value given as text (environment) or as JSON already (config file). */
function parseJson(raw: RawValue, allowed: string): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new InvalidValue(allowed);
  }
}

const SECRETS_ALLOWED =
  `must be a JSON object {"<source>": "<secret>"} with sources among ` +
  `${ALERT_SOURCES.join(', ')} and non-empty secrets`;

/** BUSINESS_APP_WEBHOOK_SECRETS: a secret per known alert source. */
export function parseWebhookSecrets(raw: RawValue): Readonly<Partial<Record<AlertSource, string>>> {
  const value = parseJson(raw, SECRETS_ALLOWED);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidValue(SECRETS_ALLOWED);
  }
  const secrets: Partial<Record<AlertSource, string>> = {};
  for (const [source, secret] of Object.entries(value)) {
    const known = (ALERT_SOURCES as readonly string[]).includes(source);
    if (!known || typeof secret !== 'string' || secret === '') {
      throw new InvalidValue(SECRETS_ALLOWED);
    }
    secrets[source as AlertSource] = secret;
  }
  return secrets;
}

/** Labels whose meaning is known; any other label is written `label:kind`. */
const KNOWN_LABELS: Readonly<Record<string, AlertTargetKind>> = {
  netbox_device: 'device',
  device: 'device',
  host: 'device',
  hostname: 'device',
  instance: 'device',
  node: 'device',
  netbox_vm: 'vm',
  vm: 'vm',
  virtual_machine: 'vm',
  netbox_cluster: 'cluster',
  cluster: 'cluster',
  netbox_service: 'service',
  service: 'service',
  technical_service: 'service',
};

/** Where an Alertmanager alert's target is looked for, first found wins. */
export const DEFAULT_TARGET_LABELS: readonly TargetLabel[] = [
  'netbox_device',
  'device',
  'host',
  'instance',
  'vm',
  'cluster',
  'service',
].map((label) => ({ label, kind: KNOWN_LABELS[label]! }));

const TARGET_LABELS_ALLOWED =
  `must be a non-empty JSON list of label names, each one of ` +
  `${Object.keys(KNOWN_LABELS).join(', ')} or written label:kind with kind ` +
  `${ALERT_TARGET_KINDS.join(', ')}`;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseTargetLabel(item: unknown): TargetLabel {
  if (typeof item !== 'string') throw new InvalidValue(TARGET_LABELS_ALLOWED);
  const [label = '', kind, ...rest] = item.trim().split(':');
  const resolved = kind === undefined ? KNOWN_LABELS[label] : kind;
  const validKind = (ALERT_TARGET_KINDS as readonly string[]).includes(resolved ?? '');
  if (!LABEL_NAME.test(label) || !validKind || rest.length > 0) {
    throw new InvalidValue(TARGET_LABELS_ALLOWED);
  }
  return { label, kind: resolved as AlertTargetKind };
}

/** BUSINESS_APP_ALERTMANAGER_TARGET_LABELS: label names in order, each with what it names. */
export function parseTargetLabels(raw: RawValue): readonly TargetLabel[] {
  const value = parseJson(raw, TARGET_LABELS_ALLOWED);
  if (!Array.isArray(value) || value.length === 0) throw new InvalidValue(TARGET_LABELS_ALLOWED);
  return value.map(parseTargetLabel);
}

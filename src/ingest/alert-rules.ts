import type { FieldErrors } from '../app-error.js';
import type { Clock } from '../clock.js';
import { SEVERITIES, type AlertTargetKind, type Severity } from '../config/settings.js';
import type { TargetInput } from '../events/event-input.js';
import type { NamedTargetType } from '../topology/topology-index.js';

/** Longest stored message; a longer one is shortened with an ellipsis (kept whole in raw). */
export const MESSAGE_LIMIT = 255;
export const DEDUP_LIMIT = 128;
/** How far in the future an alert's timestamp may lie: clock skew between machines. */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Severity spellings of monitoring tools, mapped to Faultline's scale. */
const SEVERITY_ALIASES: Readonly<Record<string, Severity>> = {
  warning: 'medium',
  warn: 'medium',
  info: 'low',
  informational: 'low',
  error: 'high',
};

export function toSeverity(value: string): Severity | null {
  const lower = value.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(lower)) return lower as Severity;
  return SEVERITY_ALIASES[lower] ?? null;
}

/** The message cut to MESSAGE_LIMIT characters (code points: an emoji is never split). */
export function shortenMessage(message: string): string {
  if (message.length <= MESSAGE_LIMIT) return message;
  const characters = Array.from(message);
  if (characters.length <= MESSAGE_LIMIT) return message;
  return `${characters.slice(0, MESSAGE_LIMIT - 1).join('')}…`;
}

/**
 * ISO 8601 date and time (RFC 3339 as monitoring tools write it): date, `T` or a space, time
 * to the minute or finer with any fraction, then `Z`, an offset, or nothing (read as UTC, so
 * that the server's own time zone never shifts an alert).
 */
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The last time parsed: a payload's time is read when it is checked, then again when it is
 * mapped (and Alertmanager's once more to tell Go's zero time), always one after the other.
 */
let lastParsed = { value: '', ms: Number.NaN, iso: null as string | null };

/** Milliseconds since the epoch of an ISO 8601 time, or NaN. */
export function parseIsoTime(value: string): number {
  if (value === lastParsed.value) return lastParsed.ms;
  const ms = parseUncached(value);
  lastParsed = { value, ms, iso: null };
  return ms;
}

/** `ms` (a time parseIsoTime just read from `value`) as ISO 8601 in UTC. */
function isoOf(value: string, ms: number): string {
  if (value !== lastParsed.value) return new Date(ms).toISOString();
  lastParsed.iso ??= new Date(ms).toISOString();
  return lastParsed.iso;
}

function parseUncached(value: string): number {
  const match = ISO_TIME.exec(value.trim());
  if (match === null) return Number.NaN;
  const text = value.trim().replace(' ', 'T').replace(',', '.');
  const zone = match[1];
  if (zone === undefined) return Date.parse(`${text}Z`);
  // An offset of hours alone (+02) is ISO 8601 too; Date.parse wants its minutes.
  return Date.parse(/[+-]\d{2}$/.test(zone) ? `${text}:00` : text);
}

/**
 * The alert's own time as ISO 8601, or an error message: unparseable, or more than five
 * minutes in the future. Absent → null (the receipt time is used).
 */
export function checkTimestamp(
  value: string | undefined,
  clock: Clock,
): { time: string | null } | { error: string } {
  if (value === undefined) return { time: null };
  const ms = parseIsoTime(value);
  if (Number.isNaN(ms)) return { error: 'Enter a valid ISO 8601 timestamp.' };
  if (ms - clock.now().getTime() > FUTURE_SKEW_MS) {
    return { error: 'Timestamp is more than 5 minutes in the future.' };
  }
  return { time: isoOf(value, ms) };
}

export function checkDedupId(dedupId: string, errors: FieldErrors, field = 'dedup_id'): void {
  if (dedupId.trim() === '') errors[field] = ['This field may not be blank.'];
  else if (dedupId.length > DEDUP_LIMIT) {
    errors[field] = [`Ensure this field has no more than ${DEDUP_LIMIT} characters.`];
  }
}

/** Records the timestamp's problem under `field`, if it has one. */
export function checkTimeField(
  value: unknown,
  clock: Clock,
  errors: FieldErrors,
  field: string,
): void {
  if (typeof value !== 'string') return;
  const time = checkTimestamp(value, clock);
  if ('error' in time) errors[field] = [time.error];
}

/** The alert's own time of a payload that passed checkTimestamp, or null. */
export function timeOf(value: string | undefined, clock: Clock): string | null {
  const time = checkTimestamp(value, clock);
  return 'time' in time ? time.time : null;
}

const TARGET_TYPES: Readonly<Record<AlertTargetKind, NamedTargetType>> = {
  device: 'device',
  vm: 'virtual_machine',
  cluster: 'cluster',
  service: 'technical_service',
};

/** A target named in an alert payload's words (`vm`, `service`), or null when unnamed. */
export function targetOf(
  kind: AlertTargetKind,
  identifier: string | undefined,
): TargetInput | null {
  const name = identifier?.trim() ?? '';
  return name === '' ? null : { type: TARGET_TYPES[kind], identifier: name };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks a dedup id built as `prefix` + `field`'s value: the limit applies to the whole id, so
 * the field may hold the limit less the prefix.
 */
export function checkDerivedDedupId(
  prefix: string,
  value: unknown,
  errors: FieldErrors,
  field: string,
): void {
  if (typeof value !== 'string' && typeof value !== 'number') return;
  const text = String(value);
  if (text.trim() === '') errors[field] = ['This field may not be blank.'];
  else if (prefix.length + text.length > DEDUP_LIMIT) {
    const limit = DEDUP_LIMIT - prefix.length;
    errors[field] = [`Ensure this field has no more than ${limit} characters.`];
  }
}

import {
  NOTIFICATION_ACTIONS,
  ROUTING_KEY_PATTERN,
  type NotificationAction,
  type WebhookTarget,
} from './settings.js';

/** Thrown by a parser with the sentence that says what the setting allows. */
export class InvalidValue extends Error {}

/** A raw setting value: a string from the environment, or any JSON value from a config file. */
export type RawValue = unknown;

/**
 * The trimmed text of a value written as a string. Other JSON types from a config file (a list,
 * an object, null) are refused, not turned into text such as "[object Object]".
 */
export function parseText(raw: RawValue, allowed: string): string {
  if (typeof raw !== 'string') throw new InvalidValue(allowed);
  return raw.trim();
}

export function parseBoolean(raw: RawValue): boolean {
  if (typeof raw === 'boolean') return raw;
  const text = parseText(raw, 'must be true or false').toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new InvalidValue('must be true or false');
}

export function parseNumber(raw: RawValue, allowed: string, ok: (n: number) => boolean): number {
  const text = typeof raw === 'number' ? String(raw) : parseText(raw, allowed);
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidValue(allowed);
  return n;
}

export function parseInteger(raw: RawValue, allowed: string, ok: (n: number) => boolean): number {
  return parseNumber(raw, allowed, (n) => Number.isInteger(n) && ok(n));
}

export function parseChoice<T extends string>(raw: RawValue, choices: readonly T[]): T {
  const allowed = `must be one of ${choices.join(', ')}`;
  const text = parseText(raw, allowed).toLowerCase();
  const found = choices.find((c) => c === text);
  if (found === undefined) throw new InvalidValue(allowed);
  return found;
}

const HTTP_URL_ALLOWED = 'must be an absolute http:// or https:// URL';

/** An absolute http(s) URL without a trailing slash. */
export function parseHttpUrl(raw: RawValue): string {
  const text = parseText(raw, HTTP_URL_ALLOWED);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidValue(HTTP_URL_ALLOWED);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidValue(HTTP_URL_ALLOWED);
  }
  return text.replace(/\/+$/, '');
}

function parseJsonList(raw: RawValue): unknown[] {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InvalidValue('must be a JSON list');
    }
  }
  if (!Array.isArray(value)) throw new InvalidValue('must be a JSON list');
  return value;
}

const WEBHOOK_ALLOWED =
  'must be a JSON list of URLs or of {"url", "secret", "events"} objects with http(s) URLs ' +
  `and events among ${NOTIFICATION_ACTIONS.join(', ')}`;

const isAction = (e: unknown): e is NotificationAction =>
  (NOTIFICATION_ACTIONS as readonly unknown[]).includes(e);

function parseWebhook(item: unknown): WebhookTarget {
  if (typeof item === 'string') return { url: parseHttpUrl(item), secret: null, events: [] };
  if (item === null || typeof item !== 'object') throw new InvalidValue(WEBHOOK_ALLOWED);
  const { url, secret, events } = item as Record<string, unknown>;
  const badSecret = secret !== undefined && secret !== null && typeof secret !== 'string';
  const badEvents = events !== undefined && (!Array.isArray(events) || !events.every(isAction));
  if (typeof url !== 'string' || badSecret || badEvents) throw new InvalidValue(WEBHOOK_ALLOWED);
  return {
    url: parseHttpUrl(url),
    secret: typeof secret === 'string' && secret !== '' ? secret : null,
    events: Object.freeze([...((events as NotificationAction[] | undefined) ?? [])]),
  };
}

/**
 * A webhook list as an error message may repeat it: every `"secret": "…"` shown as `"****"`.
 * Works on text that is not valid JSON too, as a refused value often is.
 */
export function maskWebhookSecrets(text: string): string {
  return text.replace(/("secret"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"****"');
}

export function parseWebhooks(raw: RawValue): readonly WebhookTarget[] {
  try {
    return Object.freeze(parseJsonList(raw).map((item) => Object.freeze(parseWebhook(item))));
  } catch (error) {
    if (error instanceof InvalidValue) throw new InvalidValue(WEBHOOK_ALLOWED);
    throw error;
  }
}

const ROUTING_KEY_ALLOWED = 'must be a PagerDuty integration key: 8 to 64 letters and digits';

/** A PagerDuty Events API v2 routing (integration) key. */
export function parseRoutingKey(raw: RawValue): string {
  const text = parseText(raw, ROUTING_KEY_ALLOWED);
  if (!ROUTING_KEY_PATTERN.test(text)) throw new InvalidValue(ROUTING_KEY_ALLOWED);
  return text;
}

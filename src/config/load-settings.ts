import { readFileSync } from 'node:fs';

import {
  DEFAULT_TARGET_LABELS,
  parseTargetLabels,
  parseWebhookSecrets,
} from './ingest-setting-parsers.js';
import {
  InvalidValue,
  maskWebhookSecrets,
  parseBoolean,
  parseChoice,
  parseHttpUrl,
  parseInteger,
  parseNumber,
  parseRoutingKey,
  parseText,
  parseWebhooks,
  type RawValue,
} from './setting-parsers.js';
import {
  CORRELATION_MODES,
  LOG_LEVELS,
  PAGERDUTY_EVENTS_URL,
  SEVERITIES,
  type CorrelationMode,
  type DatabaseConfig,
  type Settings,
  type TargetLabel,
  type WebhookTarget,
} from './settings.js';

/** A setting that cannot be used; the message is the one line start-up prints. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface SettingDefinition<T> {
  readonly defaultValue: T;
  readonly parse: (raw: RawValue) => T;
  /** A credential: a bad value is not repeated in the message. */
  readonly secret?: boolean;
  /** A value holding credentials: how a bad value is repeated with them masked. */
  readonly shown?: (text: string) => string;
}

function define<T>(
  defaultValue: T,
  parse: (raw: RawValue) => T,
  options: Pick<SettingDefinition<T>, 'secret' | 'shown'> = {},
): SettingDefinition<T> {
  return { defaultValue, parse, ...options };
}

const DATABASE_URL_ALLOWED = 'must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE';

function parseDatabaseUrl(raw: RawValue): DatabaseConfig {
  const text = parseText(raw, DATABASE_URL_ALLOWED);
  if (text.startsWith('sqlite:') && text.length > 'sqlite:'.length) {
    return { kind: 'sqlite', path: text.slice('sqlite:'.length) };
  }
  if (/^postgres(ql)?:\/\/.+/.test(text)) return { kind: 'postgres', url: text };
  throw new InvalidValue(DATABASE_URL_ALLOWED);
}

/** Null (in a config file) or blank text leaves an optional setting unset. */
function optional<T>(parse: (raw: RawValue) => T): (raw: RawValue) => T | null {
  return (raw) =>
    raw === null || (typeof raw === 'string' && raw.trim() === '') ? null : parse(raw);
}

const DEFINITIONS = {
  HOST: define('127.0.0.1', (raw) => {
    const allowed = 'must be a host name or IP address';
    const text = parseText(raw, allowed);
    if (text === '') throw new InvalidValue(allowed);
    return text;
  }),
  PORT: define(8080, (raw) =>
    parseInteger(raw, 'must be an integer from 0 to 65535', (n) => n >= 0 && n <= 65535),
  ),
  DATABASE_URL: define<DatabaseConfig>(
    { kind: 'sqlite', path: './data/faultline.db' },
    parseDatabaseUrl,
  ),
  LOG_LEVEL: define('info', (raw) => parseChoice(raw, LOG_LEVELS)),
  LOG_FILE: define<string | null>(
    null,
    optional((raw) => parseText(raw, 'must be a file path')),
  ),
  BASE_URL: define<string | null>(null, optional(parseHttpUrl)),
  BUSINESS_APP_AUTO_INCIDENTS_ENABLED: define(true, parseBoolean),
  BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: define(false, parseBoolean),
  BUSINESS_APP_CORRELATION_WINDOW_MINUTES: define(15, (raw) =>
    parseNumber(raw, 'must be a number of minutes, at least 1', (n) => n >= 1),
  ),
  BUSINESS_APP_MAX_DEPENDENCY_DEPTH: define(5, (raw) =>
    parseInteger(raw, 'must be an integer, at least 1', (n) => n >= 1),
  ),
  BUSINESS_APP_CORRELATION_THRESHOLD: define(0.3, (raw) =>
    parseNumber(raw, 'must be a number between 0 and 1', (n) => n >= 0 && n <= 1),
  ),
  BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED: define(false, parseBoolean),
  BUSINESS_APP_NOTIFICATION_WEBHOOKS: define<readonly WebhookTarget[]>([], parseWebhooks, {
    shown: maskWebhookSecrets,
  }),
  BUSINESS_APP_PAGERDUTY_ROUTING_KEY: define<string | null>(null, optional(parseRoutingKey), {
    secret: true,
  }),
  BUSINESS_APP_PAGERDUTY_EVENTS_URL: define(PAGERDUTY_EVENTS_URL, parseHttpUrl),
  BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY: define('low', (raw) => parseChoice(raw, SEVERITIES)),
  BUSINESS_APP_CORRELATION_MODE: define<CorrelationMode>('faultline', (raw) =>
    parseChoice(raw, CORRELATION_MODES),
  ),
  BUSINESS_APP_WEBHOOK_SECRETS: define<Settings['ingest']['webhookSecrets']>(
    {},
    (raw) => optional(parseWebhookSecrets)(raw) ?? {},
  ),
  BUSINESS_APP_RATE_LIMIT_PER_MINUTE: define<number | null>(
    null,
    optional((raw) =>
      parseInteger(raw, 'must be an integer, at least 1 (unset: no limit)', (n) => n >= 1),
    ),
  ),
  BUSINESS_APP_RATE_LIMIT_BURST: define(200, (raw) =>
    parseInteger(raw, 'must be an integer, at least 1', (n) => n >= 1),
  ),
  BUSINESS_APP_ALERTMANAGER_TARGET_LABELS: define<readonly TargetLabel[]>(
    DEFAULT_TARGET_LABELS,
    parseTargetLabels,
  ),
} as const;

type Key = keyof typeof DEFINITIONS;
type Values = { [K in Key]: ReturnType<(typeof DEFINITIONS)[K]['parse']> };

/** Every setting name Faultline reads, for documentation and `--config` validation. */
export const SETTING_NAMES = Object.keys(DEFINITIONS) as Key[];

function readConfigFile(path: string): Record<string, RawValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new ConfigError(`config file ${path} ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object of settings`);
  }
  const unknown = Object.keys(parsed).filter((key) => !(key in DEFINITIONS));
  if (unknown.length > 0) {
    throw new ConfigError(`config file ${path} has unknown setting ${unknown.join(', ')}`);
  }
  return parsed as Record<string, RawValue>;
}

/** A setting whose value cannot be used. */
export interface SettingProblem {
  readonly key: string;
  /** The value as given, on one line. */
  readonly shown: string;
  /** What is allowed. */
  readonly allowed: string;
}

/**
 * A refused value as the message repeats it: plain one-line text as it is, anything else as
 * JSON, so the message stays one line even for a list spread over several lines. A credential
 * is never shown; credentials inside a value are masked.
 */
function shownValue(definition: SettingDefinition<unknown>, raw: RawValue): string {
  if (definition.secret === true) return '(hidden)';
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const masked = definition.shown?.(text) ?? text;
  return /[\r\n]/.test(masked) ? JSON.stringify(masked) : masked;
}

function resolveValues(
  env: NodeJS.ProcessEnv,
  file: Record<string, RawValue>,
  defaults: Record<string, RawValue>,
  problems?: SettingProblem[],
): Values {
  const values: Record<string, unknown> = {};
  for (const key of SETTING_NAMES) {
    const raw = [env[key], file[key], defaults[key]].find((value) => value !== undefined);
    if (raw === undefined) {
      values[key] = DEFINITIONS[key].defaultValue;
      continue;
    }
    try {
      values[key] = DEFINITIONS[key].parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      const shown = shownValue(DEFINITIONS[key], raw);
      if (problems === undefined) {
        throw new ConfigError(`invalid setting ${key}=${shown}: ${error.message}`);
      }
      problems.push({ key, shown, allowed: error.message });
      values[key] = DEFINITIONS[key].defaultValue;
    }
  }
  return values as Values;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The process environment; the only place outside tests where it is read. */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/**
 * Reads the settings once: environment first, then the optional JSON config file (`--config`
 * or FAULTLINE_CONFIG), then `defaults` (a command's own, such as the demo's), then the built-in
 * defaults. Throws ConfigError naming the first bad setting.
 */
export function loadSettings(
  env: NodeJS.ProcessEnv,
  configFile?: string,
  defaults: Record<string, RawValue> = {},
): Settings {
  const path = configFile ?? env.FAULTLINE_CONFIG;
  const file = path ? readConfigFile(path) : {};
  return settingsFrom(resolveValues(env, file, defaults));
}

/** Everything wrong with the settings, rather than the first problem: for the health check. */
export interface SettingsInspection {
  /** The settings, with built-in defaults in place of the unusable values. */
  readonly settings: Settings;
  readonly problems: readonly SettingProblem[];
  /** The config file cannot be used at all (then only the environment was read). */
  readonly fileProblem: string | null;
}

export function inspectSettings(
  env: NodeJS.ProcessEnv,
  configFile?: string,
  defaults: Record<string, RawValue> = {},
): SettingsInspection {
  const path = configFile ?? env.FAULTLINE_CONFIG;
  let file: Record<string, RawValue> = {};
  let fileProblem: string | null = null;
  try {
    file = path ? readConfigFile(path) : {};
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fileProblem = error.message;
  }
  const problems: SettingProblem[] = [];
  const settings = settingsFrom(resolveValues(env, file, defaults, problems));
  return { settings, problems, fileProblem };
}

function settingsFrom(v: Values): Settings {
  return deepFreeze({
    host: v.HOST,
    port: v.PORT,
    database: v.DATABASE_URL,
    logLevel: v.LOG_LEVEL,
    logFile: v.LOG_FILE,
    baseUrl: v.BASE_URL,
    automation: {
      enabled: v.BUSINESS_APP_AUTO_INCIDENTS_ENABLED,
      autoResolve: v.BUSINESS_APP_AUTO_RESOLVE_INCIDENTS,
      correlationWindowMinutes: v.BUSINESS_APP_CORRELATION_WINDOW_MINUTES,
      maxDependencyDepth: v.BUSINESS_APP_MAX_DEPENDENCY_DEPTH,
      correlationThreshold: v.BUSINESS_APP_CORRELATION_THRESHOLD,
      notificationsEnabled: v.BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED,
      notificationWebhooks: v.BUSINESS_APP_NOTIFICATION_WEBHOOKS,
      pagerdutyRoutingKey: v.BUSINESS_APP_PAGERDUTY_ROUTING_KEY,
      pagerdutyEventsUrl: v.BUSINESS_APP_PAGERDUTY_EVENTS_URL,
      requireMinimumSeverity: v.BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY,
      correlationMode: v.BUSINESS_APP_CORRELATION_MODE,
    },
    ingest: {
      webhookSecrets: v.BUSINESS_APP_WEBHOOK_SECRETS,
      rateLimitPerMinute: v.BUSINESS_APP_RATE_LIMIT_PER_MINUTE,
      rateLimitBurst: v.BUSINESS_APP_RATE_LIMIT_BURST,
      alertmanagerTargetLabels: v.BUSINESS_APP_ALERTMANAGER_TARGET_LABELS,
    },
  });
}

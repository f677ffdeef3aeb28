import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, SETTING_NAMES, loadSettings } from './load-settings.js';
import type { Settings } from './settings.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-settings-'));
let files = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `content` (text as is, anything else as JSON) to a fresh file and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError message `load` fails with; any other outcome fails the test. */
function failure(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError, but the settings loaded');
}

const READ: Record<string, (s: Settings) => unknown> = {
  HOST: (s) => s.host,
  PORT: (s) => s.port,
  DATABASE_URL: (s) => s.database,
  LOG_LEVEL: (s) => s.logLevel,
  LOG_FILE: (s) => s.logFile,
  BASE_URL: (s) => s.baseUrl,
  BUSINESS_APP_AUTO_INCIDENTS_ENABLED: (s) => s.automation.enabled,
  BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: (s) => s.automation.autoResolve,
  BUSINESS_APP_CORRELATION_WINDOW_MINUTES: (s) => s.automation.correlationWindowMinutes,
  BUSINESS_APP_MAX_DEPENDENCY_DEPTH: (s) => s.automation.maxDependencyDepth,
  BUSINESS_APP_CORRELATION_THRESHOLD: (s) => s.automation.correlationThreshold,
  BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED: (s) => s.automation.notificationsEnabled,
  BUSINESS_APP_NOTIFICATION_WEBHOOKS: (s) => s.automation.notificationWebhooks,
  BUSINESS_APP_PAGERDUTY_ROUTING_KEY: (s) => s.automation.pagerdutyRoutingKey,
  BUSINESS_APP_PAGERDUTY_EVENTS_URL: (s) => s.automation.pagerdutyEventsUrl,
  BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY: (s) => s.automation.requireMinimumSeverity,
  BUSINESS_APP_CORRELATION_MODE: (s) => s.automation.correlationMode,
  BUSINESS_APP_WEBHOOK_SECRETS: (s) => s.ingest.webhookSecrets,
  BUSINESS_APP_RATE_LIMIT_PER_MINUTE: (s) => s.ingest.rateLimitPerMinute,
  BUSINESS_APP_RATE_LIMIT_BURST: (s) => s.ingest.rateLimitBurst,
  BUSINESS_APP_ALERTMANAGER_TARGET_LABELS: (s) => s.ingest.alertmanagerTargetLabels,
};

/** The default Alertmanager label order, as the settings object holds it. */
const DEFAULT_LABELS = [
  { label: 'netbox_device', kind: 'device' },
  { label: 'device', kind: 'device' },
  { label: 'host', kind: 'device' },
  { label: 'instance', kind: 'device' },
  { label: 'vm', kind: 'vm' },
  { label: 'cluster', kind: 'cluster' },
  { label: 'service', kind: 'service' },
];

function read(key: string, settings: Settings): unknown {
  const reader = READ[key];
  if (reader === undefined) throw new Error(`no reader for ${key}`);
  return reader(settings);
}

const DEFAULTS: Array<[key: string, value: unknown]> = [
  ['HOST', '127.0.0.1'],
  ['PORT', 8080],
  ['DATABASE_URL', { kind: 'sqlite', path: './data/faultline.db' }],
  ['LOG_LEVEL', 'info'],
  ['LOG_FILE', null],
  ['BASE_URL', null],
  ['BUSINESS_APP_AUTO_INCIDENTS_ENABLED', true],
  ['BUSINESS_APP_AUTO_RESOLVE_INCIDENTS', false],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', 15],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', 5],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', 0.3],
  ['BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED', false],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', []],
  ['BUSINESS_APP_PAGERDUTY_ROUTING_KEY', null],
  ['BUSINESS_APP_PAGERDUTY_EVENTS_URL', 'https://events.pagerduty.com/v2/enqueue'],
  ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 'low'],
  ['BUSINESS_APP_CORRELATION_MODE', 'faultline'],
  ['BUSINESS_APP_WEBHOOK_SECRETS', {}],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', null],
  ['BUSINESS_APP_RATE_LIMIT_BURST', 200],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', DEFAULT_LABELS],
];

describe('setting defaults', () => {
  it('covers every setting Faultline reads', () => {
    expect(DEFAULTS.map(([key]) => key).sort()).toEqual([...SETTING_NAMES].sort());
    expect(Object.keys(READ).sort()).toEqual([...SETTING_NAMES].sort());
  });

  it.each(DEFAULTS)('%s defaults to %j', (key, value) => {
    expect(read(key, loadSettings({}))).toEqual(value);
  });

  it('ignores environment variables that are not settings', () => {
    const settings = loadSettings({ PATH: '/usr/bin', HOME: '/root', port: '1' });

    expect(settings.port).toBe(8080);
  });
});

const hook = 'https://hooks.example.com/faultline';

/** [setting, value from the environment, the same from a config file, the value it gives] */
const VALID: Array<[key: string, env: string, file: unknown, value: unknown]> = [
  ['HOST', '0.0.0.0', '0.0.0.0', '0.0.0.0'],
  ['HOST', ' ::1 ', '::1', '::1'],
  ['PORT', '9090', 9090, 9090],
  ['PORT', '0', 0, 0],
  ['PORT', ' 65535 ', 65535, 65535],
  [
    'DATABASE_URL',
    'sqlite:/var/lib/x.db',
    'sqlite:/var/lib/x.db',
    { kind: 'sqlite', path: '/var/lib/x.db' },
  ],
  ['DATABASE_URL', 'sqlite::memory:', 'sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
  ['DATABASE_URL', 'sqlite:rel/f.db', 'sqlite:rel/f.db', { kind: 'sqlite', path: 'rel/f.db' }],
  [
    'DATABASE_URL',
    'postgres://fl:pw@db.example.com:5432/faultline',
    'postgres://fl:pw@db.example.com:5432/faultline',
    { kind: 'postgres', url: 'postgres://fl:pw@db.example.com:5432/faultline' },
  ],
  [
    'DATABASE_URL',
    'postgresql://fl@localhost/faultline',
    'postgresql://fl@localhost/faultline',
    { kind: 'postgres', url: 'postgresql://fl@localhost/faultline' },
  ],
  ['LOG_LEVEL', 'debug', 'debug', 'debug'],
  ['LOG_LEVEL', 'WARN', 'Warn', 'warn'],
  ['LOG_LEVEL', 'silent', 'silent', 'silent'],
  ['LOG_FILE', '/var/log/faultline.log', '/var/log/faultline.log', '/var/log/faultline.log'],
  ['LOG_FILE', '', null, null],
  [
    'BASE_URL',
    'https://faultline.example.com',
    'https://faultline.example.com',
    'https://faultline.example.com',
  ],
  ['BASE_URL', 'http://10.0.0.5:8080/fl/', 'http://10.0.0.5:8080/fl/', 'http://10.0.0.5:8080/fl'],
  ['BASE_URL', '', null, null],
  ['BUSINESS_APP_AUTO_INCIDENTS_ENABLED', 'false', false, false],
  ['BUSINESS_APP_AUTO_INCIDENTS_ENABLED', 'OFF', 'no', false],
  ['BUSINESS_APP_AUTO_RESOLVE_INCIDENTS', 'true', true, true],
  ['BUSINESS_APP_AUTO_RESOLVE_INCIDENTS', '1', 'yes', true],
  ['BUSINESS_APP_AUTO_RESOLVE_INCIDENTS', 'On', 'TRUE', true],
  ['BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED', 'yes', true, true],
  ['BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED', '0', false, false],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '30', 30, 30],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '1', 1, 1],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '2.5', 2.5, 2.5],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', '1', 1, 1],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', '12', 12, 12],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '0', 0, 0],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '1', 1, 1],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '0.75', 0.75, 0.75],
  ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 'medium', 'medium', 'medium'],
  ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 'HIGH', 'High', 'high'],
  ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 'critical', 'critical', 'critical'],
  ['BUSINESS_APP_CORRELATION_MODE', 'plugin', 'plugin', 'plugin'],
  ['BUSINESS_APP_CORRELATION_MODE', 'Faultline', 'faultline', 'faultline'],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '[]', [], []],
  [
    'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
    JSON.stringify([hook, 'http://10.1.1.1:9000/in/']),
    [hook, 'http://10.1.1.1:9000/in/'],
    [
      { url: hook, secret: null, events: [] },
      { url: 'http://10.1.1.1:9000/in', secret: null, events: [] },
    ],
  ],
  [
    'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
    JSON.stringify([{ url: hook, secret: 's3cret', events: ['created', 'resolved'] }]),
    [{ url: hook, secret: 's3cret', events: ['created', 'resolved'] }],
    [{ url: hook, secret: 's3cret', events: ['created', 'resolved'] }],
  ],
  [
    'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
    JSON.stringify([{ url: hook }, { url: hook, secret: '', events: [] }, hook]),
    [{ url: hook, secret: null }, { url: hook, secret: '', events: [] }, hook],
    [
      { url: hook, secret: null, events: [] },
      { url: hook, secret: null, events: [] },
      { url: hook, secret: null, events: [] },
    ],
  ],
  [
    'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
    JSON.stringify([{ url: hook, events: ['updated', 'reopened'] }]),
    [{ url: hook, events: ['updated', 'reopened'] }],
    [{ url: hook, secret: null, events: ['updated', 'reopened'] }],
  ],
  [
    'BUSINESS_APP_PAGERDUTY_ROUTING_KEY',
    ' R0123456789abcdef0123456789abcde ',
    'R0123456789abcdef0123456789abcde',
    'R0123456789abcdef0123456789abcde',
  ],
  ['BUSINESS_APP_PAGERDUTY_ROUTING_KEY', '', null, null],
  [
    'BUSINESS_APP_PAGERDUTY_EVENTS_URL',
    'http://127.0.0.1:9000/v2/enqueue/',
    'http://127.0.0.1:9000/v2/enqueue',
    'http://127.0.0.1:9000/v2/enqueue',
  ],
  ['BUSINESS_APP_WEBHOOK_SECRETS', '', null, {}],
  ['BUSINESS_APP_WEBHOOK_SECRETS', '{}', {}, {}],
  [
    'BUSINESS_APP_WEBHOOK_SECRETS',
    '{"alertmanager": "s3cret", "pagerduty": "other"}',
    { alertmanager: 's3cret', pagerduty: 'other' },
    { alertmanager: 's3cret', pagerduty: 'other' },
  ],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', '100', 100, 100],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', ' 1 ', 1, 1],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', '', null, null],
  ['BUSINESS_APP_RATE_LIMIT_BURST', '1', 1, 1],
  ['BUSINESS_APP_RATE_LIMIT_BURST', '5000', 5000, 5000],
  [
    'BUSINESS_APP_ALERTMANAGER_TARGET_LABELS',
    '["service", "instance"]',
    ['service', 'instance'],
    [
      { label: 'service', kind: 'service' },
      { label: 'instance', kind: 'device' },
    ],
  ],
  [
    'BUSINESS_APP_ALERTMANAGER_TARGET_LABELS',
    '["nodename:device", "app:service", "hostname"]',
    ['nodename:device', 'app:service', 'hostname'],
    [
      { label: 'nodename', kind: 'device' },
      { label: 'app', kind: 'service' },
      { label: 'hostname', kind: 'device' },
    ],
  ],
];

describe('valid settings', () => {
  it.each(VALID)('reads %s=%j from the environment', (key, env, _file, value) => {
    expect(read(key, loadSettings({ [key]: env }))).toEqual(value);
  });

  it.each(VALID)('reads %s from a config file (env form %j)', (key, _env, file, value) => {
    const path = configFile({ [key]: file });

    expect(read(key, loadSettings({}, path))).toEqual(value);
  });

  it('lets the environment win over the config file, setting by setting', () => {
    const path = configFile({
      PORT: 9000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      BUSINESS_APP_CORRELATION_THRESHOLD: 0.9,
      BUSINESS_APP_AUTO_INCIDENTS_ENABLED: false,
      BUSINESS_APP_NOTIFICATION_WEBHOOKS: [hook],
    });

    const settings = loadSettings(
      {
        PORT: '9100',
        BUSINESS_APP_CORRELATION_THRESHOLD: '0.4',
        BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'true',
        BUSINESS_APP_NOTIFICATION_WEBHOOKS: '[]',
      },
      path,
    );

    expect(settings.port).toBe(9100);
    expect(settings.automation.correlationThreshold).toBe(0.4);
    expect(settings.automation.enabled).toBe(true);
    expect(settings.automation.notificationWebhooks).toEqual([]);
    expect(settings.host).toBe('0.0.0.0');
    expect(settings.logLevel).toBe('debug');
  });

  it('lets an empty environment value win over the config file', () => {
    const path = configFile({ BASE_URL: 'https://from-file.example.com' });

    expect(loadSettings({ BASE_URL: '' }, path).baseUrl).toBeNull();
  });

  it('reads the config file named by FAULTLINE_CONFIG, and --config before it', () => {
    const named = configFile({ PORT: 7001 });
    const given = configFile({ PORT: 7002 });

    expect(loadSettings({ FAULTLINE_CONFIG: named }).port).toBe(7001);
    expect(loadSettings({ FAULTLINE_CONFIG: named }, given).port).toBe(7002);
  });

  it('does not check a bad value that the environment overrides', () => {
    const path = configFile({ PORT: 'not a port' });

    expect(loadSettings({ PORT: '8081' }, path).port).toBe(8081);
  });
});

const THRESHOLD = 'must be a number between 0 and 1';
const WINDOW = 'must be a number of minutes, at least 1';
const DEPTH = 'must be an integer, at least 1';
const URL_ALLOWED = 'must be an absolute http:// or https:// URL';
const SEVERITY = 'must be one of low, medium, high, critical';
const WEBHOOKS =
  'must be a JSON list of URLs or of {"url", "secret", "events"} objects with http(s) URLs ' +
  'and events among created, updated, resolved, reopened';
const PORT = 'must be an integer from 0 to 65535';
const BOOLEAN = 'must be true or false';
const LEVEL = 'must be one of fatal, error, warn, info, debug, trace, silent';
const DATABASE = 'must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE';
const SECRETS =
  'must be a JSON object {"<source>": "<secret>"} with sources among ' +
  'generic, capacitor, signalfx, email, alertmanager, pagerduty and non-empty secrets';
const LABELS =
  'must be a non-empty JSON list of label names, each one of netbox_device, device, host, ' +
  'hostname, instance, node, netbox_vm, vm, virtual_machine, netbox_cluster, cluster, ' +
  'netbox_service, service, technical_service or written label:kind with kind ' +
  'device, vm, cluster, service';
const RATE = 'must be an integer, at least 1 (unset: no limit)';

/** [setting, bad value from the environment, what the message says is allowed] */
const INVALID: Array<[key: string, value: string, allowed: string]> = [
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '2', THRESHOLD],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '1.01', THRESHOLD],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '-0.1', THRESHOLD],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', 'high', THRESHOLD],
  ['BUSINESS_APP_CORRELATION_THRESHOLD', '', THRESHOLD],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '0', WINDOW],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '0.5', WINDOW],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '-15', WINDOW],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', '15m', WINDOW],
  ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', 'Infinity', WINDOW],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', '0', DEPTH],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', '-3', DEPTH],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', '2.5', DEPTH],
  ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', 'deep', DEPTH],
  ['BASE_URL', 'faultline.example.com', URL_ALLOWED],
  ['BASE_URL', 'ftp://faultline.example.com', URL_ALLOWED],
  ['BASE_URL', '/faultline', URL_ALLOWED],
  ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 'urgent', SEVERITY],
  ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 'info', SEVERITY],
  ['BUSINESS_APP_CORRELATION_MODE', 'magic', 'must be one of faultline, plugin'],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', 'https://hooks.example.com', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '["https://a.example.com",', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '{"url":"https://a.example.com"}', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '["ftp://a.example.com"]', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '["not a url"]', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '[{"url":"mailto:ops@example.com"}]', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '[{"events":["created"]}]', WEBHOOKS],
  [
    'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
    '[{"url":"https://a.example.com","events":"all"}]',
    WEBHOOKS,
  ],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '[{"url":"https://a.example.com","secret":7}]', WEBHOOKS],
  ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', '[42]', WEBHOOKS],
  [
    'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
    '[{"url":"https://a.example.com","events":["opened"]}]',
    WEBHOOKS,
  ],
  ['BUSINESS_APP_PAGERDUTY_EVENTS_URL', 'events.pagerduty.com/v2/enqueue', URL_ALLOWED],
  ['PORT', 'http', PORT],
  ['PORT', '-1', PORT],
  ['PORT', '65536', PORT],
  ['PORT', '80.5', PORT],
  ['PORT', '', PORT],
  ['BUSINESS_APP_AUTO_INCIDENTS_ENABLED', 'maybe', BOOLEAN],
  ['BUSINESS_APP_AUTO_RESOLVE_INCIDENTS', 'enabled', BOOLEAN],
  ['BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED', '2', BOOLEAN],
  ['BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED', '', BOOLEAN],
  ['LOG_LEVEL', 'verbose', LEVEL],
  ['LOG_LEVEL', 'warning', LEVEL],
  ['DATABASE_URL', 'mysql://fl@localhost/faultline', DATABASE],
  ['DATABASE_URL', './data/faultline.db', DATABASE],
  ['DATABASE_URL', 'sqlite:', DATABASE],
  ['DATABASE_URL', 'postgres://', DATABASE],
  ['HOST', '  ', 'must be a host name or IP address'],
  ['BUSINESS_APP_WEBHOOK_SECRETS', '{"nagios": "s"}', SECRETS],
  ['BUSINESS_APP_WEBHOOK_SECRETS', '{"generic": ""}', SECRETS],
  ['BUSINESS_APP_WEBHOOK_SECRETS', '{"generic": 42}', SECRETS],
  ['BUSINESS_APP_WEBHOOK_SECRETS', '["generic"]', SECRETS],
  ['BUSINESS_APP_WEBHOOK_SECRETS', 'generic=s3cret', SECRETS],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', '0', RATE],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', '1.5', RATE],
  ['BUSINESS_APP_RATE_LIMIT_PER_MINUTE', 'many', RATE],
  ['BUSINESS_APP_RATE_LIMIT_BURST', '0', DEPTH],
  ['BUSINESS_APP_RATE_LIMIT_BURST', '', DEPTH],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', '[]', LABELS],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', 'instance', LABELS],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', '["app"]', LABELS],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', '["app:host"]', LABELS],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', '["my-label:device"]', LABELS],
  ['BUSINESS_APP_ALERTMANAGER_TARGET_LABELS', '[1]', LABELS],
];

describe('invalid settings', () => {
  it.each(INVALID)('refuses %s=%j in one line naming what is allowed', (key, value, allowed) => {
    const message = failure(() => loadSettings({ [key]: value }));

    expect(message).toBe(`invalid setting ${key}=${value}: ${allowed}`);
    expect(message).not.toContain('\n');
  });

  /** [setting, bad JSON value in a config file, how the message shows it, what is allowed] */
  const INVALID_IN_FILE: Array<[key: string, value: unknown, shown: string, allowed: string]> = [
    ['BUSINESS_APP_CORRELATION_THRESHOLD', 2, '2', THRESHOLD],
    ['BUSINESS_APP_CORRELATION_THRESHOLD', true, 'true', THRESHOLD],
    ['BUSINESS_APP_CORRELATION_WINDOW_MINUTES', 0, '0', WINDOW],
    ['BUSINESS_APP_MAX_DEPENDENCY_DEPTH', 1.5, '1.5', DEPTH],
    ['PORT', [8080], '[8080]', PORT],
    ['PORT', null, 'null', PORT],
    ['HOST', { name: 'localhost' }, '{"name":"localhost"}', 'must be a host name or IP address'],
    ['LOG_FILE', false, 'false', 'must be a file path'],
    ['LOG_LEVEL', ['info'], '["info"]', LEVEL],
    ['BASE_URL', 42, '42', URL_ALLOWED],
    ['DATABASE_URL', { kind: 'sqlite' }, '{"kind":"sqlite"}', DATABASE],
    ['BUSINESS_APP_AUTO_INCIDENTS_ENABLED', 1, '1', BOOLEAN],
    ['BUSINESS_APP_AUTO_RESOLVE_INCIDENTS', ['true'], '["true"]', BOOLEAN],
    ['BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY', 3, '3', SEVERITY],
    ['BUSINESS_APP_NOTIFICATION_WEBHOOKS', { url: hook }, `{"url":"${hook}"}`, WEBHOOKS],
    [
      'BUSINESS_APP_NOTIFICATION_WEBHOOKS',
      ['ftp://x.example.com'],
      '["ftp://x.example.com"]',
      WEBHOOKS,
    ],
  ];

  it.each(INVALID_IN_FILE)('refuses %s=%j from a config file', (key, value, shown, allowed) => {
    const path = configFile({ [key]: value });

    const message = failure(() => loadSettings({}, path));

    expect(message).toBe(`invalid setting ${key}=${shown}: ${allowed}`);
  });

  it('keeps the message on one line for a value spread over several lines', () => {
    const value = '[\n  "https://a.example.com",\n  "ftp://b.example.com"\n]';

    const message = failure(() => loadSettings({ BUSINESS_APP_NOTIFICATION_WEBHOOKS: value }));

    expect(message).not.toMatch(/[\r\n]/);
    expect(message).toBe(
      `invalid setting BUSINESS_APP_NOTIFICATION_WEBHOOKS=${JSON.stringify(value)}: ${WEBHOOKS}`,
    );
  });

  it.each([
    ['[{"url":"ftp://a.example.com","secret":"hunter2-\\"quoted\\""}]', false],
    ['[{"url": "https://a.example.com", "secret" : "hunter2-\\"quoted\\"",\n', true],
  ])('refuses a webhook list %j without repeating its secrets', (value, multiline) => {
    const message = failure(() => loadSettings({ BUSINESS_APP_NOTIFICATION_WEBHOOKS: value }));

    const masked = value.replace('"hunter2-\\"quoted\\""', '"****"');
    const shown = multiline ? JSON.stringify(masked) : masked;
    expect(message).toBe(
      `invalid setting BUSINESS_APP_NOTIFICATION_WEBHOOKS=${shown}: ${WEBHOOKS}`,
    );
    expect(message).not.toContain('hunter2');
  });

  it('refuses a webhook list from a config file without repeating its secrets', () => {
    const path = configFile({
      BUSINESS_APP_NOTIFICATION_WEBHOOKS: [{ url: 'ftp://a.example.com', secret: 'hunter2' }],
    });

    const message = failure(() => loadSettings({}, path));

    expect(message).toBe(
      'invalid setting BUSINESS_APP_NOTIFICATION_WEBHOOKS=' +
        `[{"url":"ftp://a.example.com","secret":"****"}]: ${WEBHOOKS}`,
    );
  });

  it.each([
    ['with spaces in it', 'R0123 456789abcdef'],
    ['too short', 'abc123'],
    ['with punctuation', 'R0123456789abcdef/0123456789'],
  ])('refuses a PagerDuty routing key %s without repeating it', (_what, value) => {
    const message = failure(() => loadSettings({ BUSINESS_APP_PAGERDUTY_ROUTING_KEY: value }));

    expect(message).toBe(
      'invalid setting BUSINESS_APP_PAGERDUTY_ROUTING_KEY=(hidden): ' +
        'must be a PagerDuty integration key: 8 to 64 letters and digits',
    );
    expect(message).not.toContain(value);
  });

  it('names the bad setting when several settings are set', () => {
    const env = { PORT: '8081', BUSINESS_APP_MAX_DEPENDENCY_DEPTH: '0', LOG_LEVEL: 'debug' };

    expect(failure(() => loadSettings(env))).toBe(
      `invalid setting BUSINESS_APP_MAX_DEPENDENCY_DEPTH=0: ${DEPTH}`,
    );
  });
});

describe('config file problems', () => {
  it('refuses a file that is not JSON', () => {
    const path = configFile('PORT=8080\n');

    expect(failure(() => loadSettings({}, path))).toBe(`config file ${path} is not valid JSON`);
  });

  it.each([
    ['a list', '[{"PORT": 8080}]'],
    ['a number', '8080'],
    ['a string', '"PORT=8080"'],
    ['null', 'null'],
  ])('refuses a file that holds %s instead of an object', (_what, content) => {
    const path = configFile(content);

    expect(failure(() => loadSettings({}, path))).toBe(
      `config file ${path} must hold a JSON object of settings`,
    );
  });

  it('refuses a file with an unknown key, naming it', () => {
    const path = configFile({ PORT: 8080, BUSINESS_APP_CORRELATION_TRESHOLD: 0.5 });

    expect(failure(() => loadSettings({}, path))).toBe(
      `config file ${path} has unknown setting BUSINESS_APP_CORRELATION_TRESHOLD`,
    );
  });

  it('refuses a file that cannot be read', () => {
    const path = join(dir, 'missing.json');

    expect(failure(() => loadSettings({}, path))).toBe(`config file ${path} cannot be read`);
  });

  it('accepts an empty object', () => {
    expect(loadSettings({}, configFile({})).port).toBe(8080);
  });
});

describe('the settings object', () => {
  const env = {
    DATABASE_URL: 'postgres://fl@localhost/faultline',
    BUSINESS_APP_NOTIFICATION_WEBHOOKS: JSON.stringify([{ url: hook, events: ['created'] }]),
  };

  it('is frozen all the way down', () => {
    const settings = loadSettings(env);
    const webhook = settings.automation.notificationWebhooks[0];

    expect(webhook).toBeDefined();
    for (const part of [
      settings,
      settings.ingest,
      settings.ingest.alertmanagerTargetLabels,
      settings.ingest.webhookSecrets,
      settings.database,
      settings.automation,
      settings.automation.notificationWebhooks,
      webhook,
      webhook?.events,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
  });

  it('throws on any attempt to change it', () => {
    const settings = loadSettings(env) as any;

    expect(() => {
      settings.port = 1;
    }).toThrow(TypeError);
    expect(() => {
      settings.automation.correlationThreshold = 0.9;
    }).toThrow(TypeError);
    expect(() => {
      settings.database.url = 'postgres://other';
    }).toThrow(TypeError);
    expect(() => {
      settings.automation.notificationWebhooks.push({ url: hook });
    }).toThrow(TypeError);
    expect(() => {
      settings.automation.notificationWebhooks[0].events.push('resolved');
    }).toThrow(TypeError);
    expect(settings.port).toBe(8080);
  });

  it('leaves the defaults untouched for the next load', () => {
    expect(loadSettings({}).automation.notificationWebhooks).toEqual([]);
    expect(loadSettings({}).database).toEqual({ kind: 'sqlite', path: './data/faultline.db' });
  });
});

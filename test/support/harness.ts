import type { OutgoingHttpHeaders } from 'node:http';

import { ManualClock } from '../../src/clock.js';
import { loadSettings } from '../../src/config/load-settings.js';
import { createFaultline, type Faultline } from '../../src/faultline.js';
import { createLogger } from '../../src/log/logger.js';
import { freshDatabase, truncateAll, type EngineName, type TestDatabase } from './databases.js';

export const BASE = 'http://faultline.test';
export const PLUGIN = '/api/plugins/business-application';

export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly headers: OutgoingHttpHeaders;
}

export interface CallOptions {
  readonly body?: unknown;
  /** Raw payload instead of JSON. */
  readonly payload?: string;
  /** Token to send; `null` sends none. Defaults to the write token. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

/** A Faultline on a fresh database of one engine, driven through HTTP without a socket. */
export interface Harness {
  readonly engine: EngineName;
  readonly faultline: Faultline;
  readonly clock: ManualClock;
  writeToken: string;
  readToken: string;
  call(method: string, url: string, options?: CallOptions): Promise<Answer>;
  /** Empties the database and issues new tokens. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  engine: EngineName,
  env: Record<string, string> = {},
): Promise<Harness> {
  const testDb: TestDatabase = await freshDatabase(engine);
  const database = testDb.open();
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const settings = loadSettings({ BASE_URL: BASE, ...env });
  // Quiet unless asked; with LOG_FILE the log goes to that file (and not to the console).
  const logger = createLogger({
    level: settings.logFile === null ? ((env.TEST_LOG_LEVEL as 'silent') ?? 'silent') : 'info',
    file: settings.logFile,
    ...(settings.logFile === null ? {} : { stdout: false as const }),
  });
  const faultline = await createFaultline({ settings, clock, logger, database });

  const harness: Harness = {
    engine,
    faultline,
    clock,
    writeToken: '',
    readToken: '',
    async call(method, url, options = {}) {
      const token = options.token === undefined ? harness.writeToken : options.token;
      const headers: Record<string, string> = { ...options.headers };
      if (token !== null) headers.authorization = `Token ${token}`;
      const payload =
        options.payload ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (payload !== undefined && headers['content-type'] === undefined) {
        headers['content-type'] = 'application/json';
      }
      const response = await faultline.api.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
      const text = response.body;
      return {
        status: response.statusCode,
        body: text === '' ? null : safeJson(text),
        headers: response.headers,
      };
    },
    async reset() {
      await truncateAll(database);
      harness.writeToken = (await faultline.tokens.create({ name: 'w', writeEnabled: true })).key;
      harness.readToken = (await faultline.tokens.create({ name: 'r', writeEnabled: false })).key;
    },
    async close() {
      await faultline.close();
      await testDb.dispose();
    },
  };
  await harness.reset();
  return harness;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

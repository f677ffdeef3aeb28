import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { ManualClock } from '../../src/clock.js';
import { loadSettings } from '../../src/config/load-settings.js';
import { createFaultline, type Faultline } from '../../src/faultline.js';
import { createLogger } from '../../src/log/logger.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { freshDatabase, truncateAll, type EngineName } from '../support/databases.js';
import { BASE, type Answer, type CallOptions, type Harness } from '../support/harness.js';
import { Receiver } from './receiver.js';

/** Settings for a run, given the receiver (whose port is known only once it listens). */
export type NotifyEnv = (receiver: Receiver) => Record<string, string>;

/**
 * A Faultline with notifications on a database that outlives it (a SQLite file, or a
 * PostgreSQL schema), a local receiver for its webhooks and PagerDuty events, and every log line
 * it writes. `restart` closes it and opens a new one on the same database, as a restart of the
 * server would; `reconfigure` does the same with other settings.
 */
export interface NotifyHarness extends Harness {
  readonly receiver: Receiver;
  /** Every JSON log line written so far, at debug level and above. */
  readonly logs: string[];
  restart(): Promise<void>;
  reconfigure(env: NotifyEnv): Promise<void>;
}

export interface NotifyOptions {
  /** How long the receiver gets to answer. */
  readonly timeoutMs?: number;
}

/** A database of `engine` that a closed Faultline leaves behind for the next one. */
async function durableDatabase(engine: EngineName) {
  if (engine === 'postgres') return freshDatabase('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-notify-'));
  const path = join(dir, 'faultline.db');
  return {
    open: (): Database => openDatabase({ kind: 'sqlite', path }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startNotifyHarness(
  engine: EngineName,
  env: NotifyEnv,
  options: NotifyOptions = {},
): Promise<NotifyHarness> {
  const receiver = await Receiver.start();
  const store = await durableDatabase(engine);
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const logs: string[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', file: null, stdout });
  let currentEnv = env;
  let database: Database;
  let faultline: Faultline;

  const open = async () => {
    const settings = loadSettings({ BASE_URL: BASE, ...currentEnv(receiver) });
    database = store.open();
    faultline = await createFaultline({
      settings,
      clock,
      logger,
      database,
      ...(options.timeoutMs === undefined ? {} : { deliveryTimeoutMs: options.timeoutMs }),
    });
  };
  await open();

  const harness: NotifyHarness = {
    engine,
    get faultline() {
      return faultline;
    },
    clock,
    receiver,
    logs,
    writeToken: '',
    readToken: '',
    call: (method, url, callOptions = {}) => inject(faultline, harness, method, url, callOptions),
    async reset() {
      await truncateAll(database);
      receiver.reset();
      logs.length = 0;
      harness.writeToken = (await faultline.tokens.create({ name: 'w', writeEnabled: true })).key;
      harness.readToken = (await faultline.tokens.create({ name: 'r', writeEnabled: false })).key;
    },
    async restart() {
      await faultline.close();
      await open();
    },
    async reconfigure(next) {
      currentEnv = next;
      await harness.restart();
    },
    async close() {
      await faultline.close();
      await receiver.close();
      await store.dispose();
    },
  };
  await harness.reset();
  return harness;
}

/** One request through the API without a socket, as the shared harness sends it. */
async function inject(
  faultline: Faultline,
  harness: Harness,
  method: string,
  url: string,
  options: CallOptions,
): Promise<Answer> {
  const token = options.token === undefined ? harness.writeToken : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Token ${token}`;
  const payload =
    options.payload ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const response = await faultline.api.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  const text = response.body;
  return {
    status: response.statusCode,
    body: text === '' ? null : (JSON.parse(text) as unknown),
    headers: response.headers,
  };
}

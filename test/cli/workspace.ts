import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadSettings } from '../../src/config/load-settings.js';
import { createFaultline, type Faultline } from '../../src/faultline.js';
import { createLogger } from '../../src/log/logger.js';
import { freshDatabase, type EngineName, type TestDatabase } from '../support/databases.js';
import { PLUGIN, type Answer } from '../support/harness.js';

/**
 * A database the command line can open (a SQLite file, or a PostgreSQL schema), and a Faultline
 * on it, on the real clock, that plays the running server: it loads topology and receives
 * events through its API.
 */
export interface Workspace {
  readonly engine: EngineName;
  /** The environment that points the command line at this database. */
  readonly env: Record<string, string>;
  readonly server: Faultline;
  call(method: string, url: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

export async function openWorkspace(
  engine: EngineName,
  serverEnv: Record<string, string> = {},
): Promise<Workspace> {
  let dir: string | null = null;
  let test: TestDatabase | null = null;
  let url: string;
  if (engine === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'faultline-ws-'));
    url = `sqlite:${join(dir, 'faultline.db')}`;
  } else {
    test = await freshDatabase('postgres');
    url = (test.config as { url: string }).url;
  }
  const env = { DATABASE_URL: url };
  const settings = loadSettings({ ...env, ...serverEnv });
  const logger = createLogger({ level: 'silent', file: null });
  const server = await createFaultline({ settings, logger });
  const { key } = await server.tokens.create({ name: 'test', writeEnabled: true });

  return {
    engine,
    env,
    server,
    async call(method, path, body) {
      const response = await server.api.inject({
        method: method as 'GET',
        url: path.startsWith('/') ? path : `${PLUGIN}/${path}`,
        headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return {
        status: response.statusCode,
        body: response.body === '' ? null : JSON.parse(response.body),
        headers: response.headers,
      };
    },
    async close() {
      await server.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      await test?.dispose();
    },
  };
}

/** Creates through the workspace's API; throws unless the answer is 201. */
export async function make(ws: Workspace, path: string, body: unknown): Promise<any> {
  const answer = await ws.call('POST', path, body);
  if (answer.status !== 201) {
    throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

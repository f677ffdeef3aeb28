import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { loadSettings } from '../../src/config/load-settings.js';
import { createFaultline } from '../../src/faultline.js';
import { createLogger } from '../../src/log/logger.js';
import { loadDemoTopology } from '../../src/topology/demo-loader.js';
import type { TopologyIndex } from '../../src/topology/topology-index.js';
import { loadGeneratedTopology } from '../load-topology.js';
import type { GeneratedTopology } from '../topology-generator.js';

export type Engine = 'sqlite' | 'postgres';

/** Where the benchmark finds PostgreSQL (a server it may create and drop databases on). */
export const POSTGRES_ADMIN_URL =
  process.env.FAULTLINE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A migrated database with a topology and a write token, ready for `faultline serve`. */
export interface PreparedDatabase {
  readonly engine: Engine;
  readonly url: string;
  readonly token: string;
  /** The topology as the server will hold it. */
  readonly topology: TopologyIndex;
  dispose(): Promise<void>;
}

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

let databases = 0;

async function freshUrl(engine: Engine): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
    return {
      url: `sqlite:${join(dir, 'faultline.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `faultline_bench_${process.pid}_${++databases}`;
  await adminQuery(`drop database if exists ${name}`);
  await adminQuery(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`drop database if exists ${name}`) };
}

/** Creates a database of `engine` holding the demo topology or a generated one. */
export async function prepareDatabase(
  engine: Engine,
  topology: 'demo' | GeneratedTopology,
): Promise<PreparedDatabase> {
  const { url, drop } = await freshUrl(engine);
  const settings = loadSettings({ DATABASE_URL: url });
  const logger = createLogger({ level: 'silent', file: null });
  const faultline = await createFaultline({ settings, logger });
  try {
    if (topology === 'demo') await loadDemoTopology(faultline.registry, faultline.writer);
    else await loadGeneratedTopology(faultline.database, topology);
    const { key } = await faultline.tokens.create({ name: 'bench', writeEnabled: true });
    const index = await faultline.pipeline.run(async () => faultline.indexes.topology);
    return { engine, url, token: key, topology: index, dispose: drop };
  } finally {
    await faultline.close();
  }
}

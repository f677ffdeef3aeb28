import { randomBytes } from 'node:crypto';

import { sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';

import type { DatabaseConfig } from '../../src/config/settings.js';
import { openDatabase, type Database } from '../../src/store/database.js';

export type EngineName = 'sqlite' | 'postgres';

/** A fresh, empty database of one engine, and how to throw it away. */
export interface TestDatabase {
  readonly engine: EngineName;
  readonly config: DatabaseConfig;
  open(): Database;
  dispose(): Promise<void>;
}

async function freshPostgres(baseUrl: string): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();

  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const config: DatabaseConfig = { kind: 'postgres', url: url.toString() };
  return {
    engine: 'postgres',
    config,
    open: () => openDatabase(config, { poolSize: 4 }),
    dispose: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

function freshSqlite(): TestDatabase {
  const config: DatabaseConfig = { kind: 'sqlite', path: ':memory:' };
  return { engine: 'sqlite', config, open: () => openDatabase(config), dispose: async () => {} };
}

/** The engines this run covers: SQLite always, PostgreSQL when global setup found it. */
export function engines(): EngineName[] {
  return inject('postgresUrl') === null ? ['sqlite'] : ['sqlite', 'postgres'];
}

export async function freshDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'sqlite') return freshSqlite();
  const url = inject('postgresUrl');
  if (url === null) throw new Error('PostgreSQL is not available in this run');
  return freshPostgres(url);
}

/** Empties every table of an open database (between tests of one suite). */
export async function truncateAll(database: Database): Promise<void> {
  const postgres = database.dialect.name === 'postgres';
  const listed = postgres
    ? await sql<{ name: string }>`select tablename as name from pg_tables
        where schemaname = current_schema()`.execute(database.db)
    : await sql<{ name: string }>`select name from sqlite_master
        where type = 'table' and name not like 'sqlite_%'`.execute(database.db);
  // automation_state holds change counters: bumped, not emptied, so in-memory indexes reload;
  // the time of the latest decision goes with the events.
  const kept = (n: string) => n.startsWith('faultline_migrations') || n === 'automation_state';
  const names = listed.rows.map((t) => t.name).filter((n) => !kept(n));
  await sql`update automation_state set topology_version = topology_version + 1,
    incident_version = incident_version + 1, last_processed_at = null`.execute(database.db);
  if (postgres) {
    await sql`truncate ${sql.join(names.map((n) => sql.id(n)))} restart identity cascade`.execute(
      database.db,
    );
    return;
  }
  await sql`pragma foreign_keys = off`.execute(database.db);
  for (const name of names) await sql`delete from ${sql.id(name)}`.execute(database.db);
  await sql`delete from sqlite_sequence`.execute(database.db);
  await sql`pragma foreign_keys = on`.execute(database.db);
}

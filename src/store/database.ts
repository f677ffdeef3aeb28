import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type RawBuilder,
  type Transaction,
} from 'kysely';
import pg from 'pg';

import type { DatabaseConfig } from '../config/settings.js';

/** Advisory lock keys, one per kind of decision that must not interleave. */
export const LOCK_KEYS = { topology: 7_310_001 } as const;

/** Kysely's view of the schema: tables by name, columns by name (see schema.ts for the rows). */
export type AnySchema = Record<string, Record<string, unknown>>;
export type Db = Kysely<AnySchema>;

export type DialectName = 'sqlite' | 'postgres';

/**
 * The only place where SQLite and PostgreSQL differ: the few expressions that have no common
 * spelling. Everything else is written once in Kysely.
 */
export interface DialectSql {
  readonly name: DialectName;
  /** True when the JSON array in `column` holds the string `value`. */
  jsonArrayContains(column: string, value: string): RawBuilder<boolean>;
  /**
   * Holds a lock named by `key` until the transaction ends, so that writers whose decisions
   * could conflict run one after the other, also across processes. SQLite has one writer at a
   * time already.
   */
  serialize(tx: Transaction<AnySchema>, key: number): Promise<void>;
  /** Schema the migration bookkeeping lives in (PostgreSQL's current schema). */
  migrationSchema(db: Db): Promise<string | undefined>;
}

const sqliteSql: DialectSql = {
  name: 'sqlite',
  jsonArrayContains: (column, value) =>
    sql<boolean>`exists (select 1 from json_each(${sql.ref(column)}) where value = ${value})`,
  serialize: () => Promise.resolve(),
  migrationSchema: () => Promise.resolve(undefined),
};

const postgresSql: DialectSql = {
  name: 'postgres',
  jsonArrayContains: (column, value) =>
    sql<boolean>`${sql.ref(column)} @> ${JSON.stringify([value])}::jsonb`,
  serialize: async (tx, key) => {
    await sql`select pg_advisory_xact_lock(${key})`.execute(tx);
  },
  migrationSchema: async (db) => {
    const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return result.rows[0]?.schema;
  },
};

/** An open database: the query builder plus what differs between the two engines. */
export interface Database {
  readonly db: Db;
  readonly dialect: DialectSql;
  close(): Promise<void>;
}

const PG_TIMESTAMPTZ = 1184;
const PG_INT8 = 20;

/** Timestamps travel as ISO 8601 strings in UTC on both engines; counts as numbers. */
function postgresTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === PG_TIMESTAMPTZ) return (v: string) => new Date(v).toISOString();
      if (oid === PG_INT8) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new SqliteDatabase(path);
  connection.pragma('journal_mode = WAL');
  // FULL: a transaction that returned has reached the disk; nothing answered 2xx is lost.
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 10000');
  const db: Db = new Kysely<AnySchema>({ dialect: new SqliteDialect({ database: connection }) });
  return { db, dialect: sqliteSql, close: () => db.destroy() };
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: postgresTypes() });
  const db: Db = new Kysely<AnySchema>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: postgresSql, close: () => db.destroy() };
}

export interface OpenOptions {
  /** PostgreSQL connection pool size (default 10). */
  readonly poolSize?: number;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  return config.kind === 'sqlite'
    ? openSqlite(config.path)
    : openPostgres(config.url, options.poolSize ?? 10);
}

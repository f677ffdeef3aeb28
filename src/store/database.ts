import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import SqliteDatabase from 'better-sqlite3';
import {
  type CompiledQuery,
  Kysely,
  type QueryResult,
  SqliteDialect,
  sql,
  type RawBuilder,
  type SqliteDatabase as SqliteDialectDatabase,
} from 'kysely';
import pg from 'pg';

import type { DatabaseConfig } from '../config/settings.js';
import { DeferredWrites, type DeferringTarget } from './deferred-writes.js';
import { claimConnection, postgresDialect } from './postgres-driver.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

/** Advisory lock keys, one per kind of decision that must not interleave. */
export const LOCK_KEYS = {
  /** Service dependency writes: two halves of a cycle must not both pass the cycle check. */
  topology: 7_310_001,
  /** Incident decisions: correlation, and people changing incidents. */
  incidents: 7_310_002,
} as const;

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
  /** Schema the migration bookkeeping lives in (PostgreSQL's current schema). */
  migrationSchema(db: Db): Promise<string | undefined>;
  /** Runs `work` in a transaction that holds the write lock (and `locks`) from its start. */
  writeTransaction<T>(
    db: Db,
    work: (tx: Db) => Promise<T>,
    locks: readonly number[],
  ): Promise<Committed<T>>;
}

/** A committed write transaction: what its work returned, and when the commit is on disk. */
export interface Committed<T> {
  readonly value: T;
  /**
   * Resolves once the commit is durable; rejects if flushing it failed. Until then nobody may
   * be told that the write happened (a crash could still take it back).
   */
  readonly durable: Promise<void>;
}

const DURABLE = Promise.resolve();

/** `durable` as a Committed's, without an unhandled rejection when nobody awaits it. */
function committed<T>(value: T, durable: Promise<void>): Committed<T> {
  durable.catch(() => undefined);
  return { value, durable };
}

/** write() made of a commit(): the transaction's value, once it is durable. */
export function durableWrite(commit: Database['commit']): Database['write'] {
  return async (work, locks) => {
    const { value, durable } = await commit(work, locks);
    await durable;
    return value;
  };
}

/** What the SQLite dialect needs of its connection beyond Kysely. */
interface SqliteDurability {
  /** Sets `synchronous` on the one connection. */
  synchronous(mode: 'FULL' | 'NORMAL'): void;
  /** Flushes the write-ahead log; null for an in-memory database. */
  readonly wal: WalSync | null;
  /** Checkpoints the log beside the writer; null for an in-memory database. */
  readonly checkpointer: WalCheckpointer | null;
  /** Runs a statement on the connection at once (see runDirect). */
  readonly direct: DirectRunner;
  /** Writes waiting for the connection's next statement (see deferDirect). */
  readonly deferred: DeferredWrites;
}

/** Runs compiled SQL synchronously on the one SQLite connection. */
type DirectRunner = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

/** The write transactions now open on SQLite, each with the runner of its connection. */
const directRunners = new WeakMap<Db, DirectRunner>();

/**
 * Runs compiled SQL at once when `db` is an SQLite write transaction: its one connection is
 * held for the transaction, so a synchronous call runs inside it, without Kysely's round of
 * promises per statement (which costs more than the indexed statements of alert intake).
 * Returns null anywhere else; the caller then goes through Kysely.
 */
export function runDirect<Row>(
  db: Db,
  sql: string,
  parameters: readonly unknown[],
): QueryResult<Row> | null {
  const runner = directRunners.get(db);
  return runner === undefined ? null : (runner(sql, parameters) as QueryResult<Row>);
}

/** Whether `db` is an SQLite write transaction, whose statements run at once (see runDirect). */
export function isSqliteWrite(db: Db): boolean {
  return directRunners.has(db);
}

/** Where the deferred writes of each write transaction now open wait, by transaction. */
const deferring = new WeakMap<Db, DeferringTarget>();

/**
 * Holds a write nobody reads the result of when `db` is a write transaction, until the
 * connection's next statement (or the commit) runs, which runs the waiting writes first,
 * folded together (see DeferredWrites); false anywhere else, or when the write cannot wait.
 */
export function deferDirect(db: Db, query: CompiledQuery): boolean {
  return deferring.get(db)?.add(query) === true;
}

function sqliteSql(durability: SqliteDurability): DialectSql {
  return {
    name: 'sqlite',
    jsonArrayContains: (column, value) =>
      sql<boolean>`exists (select 1 from json_each(${sql.ref(column)}) where value = ${value})`,
    migrationSchema: () => Promise.resolve(undefined),
    // BEGIN IMMEDIATE takes the write lock first: a deferred transaction that reads, then
    // writes, fails when another process committed in between. The one connection serialises
    // this process; the file lock (with busy_timeout) serialises processes. The commit does not
    // wait for the disk; the log is flushed after it, off the event loop (see Committed).
    writeTransaction: async (db, work) => {
      const result = await db.connection().execute(async (connection) => {
        // A long log starts over once a checkpoint has caught up (see WalCheckpointer).
        const caughtUp = durability.checkpointer?.catchUp();
        if (caughtUp) await caughtUp;
        durability.synchronous('NORMAL');
        try {
          // Directly, as the transaction's own statements run (see runDirect).
          durability.direct('begin immediate', []);
          directRunners.set(connection, durability.direct);
          deferring.set(connection, durability.deferred);
          try {
            const value = await work(connection);
            // The commit runs what still waits first (see cachingConnection).
            durability.direct('commit', []);
            return value;
          } catch (error) {
            durability.deferred.take();
            await sql`rollback`.execute(connection);
            throw error;
          }
        } finally {
          directRunners.delete(connection);
          deferring.delete(connection);
          durability.synchronous('FULL');
        }
      });
      return committed(result, durability.wal?.sync() ?? DURABLE);
    },
  };
}

const postgresSql: DialectSql = {
  name: 'postgres',
  jsonArrayContains: (column, value) =>
    sql<boolean>`${sql.ref(column)} @> ${JSON.stringify([value])}::jsonb`,
  migrationSchema: async (db) => {
    const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return result.rows[0]?.schema;
  },
  // PostgreSQL's commit returns once it is durable (synchronous_commit).
  writeTransaction: async (db, work, locks) =>
    committed(
      await db.transaction().execute(async (tx) => {
        // Sorted, so that two transactions wanting the same locks cannot deadlock.
        for (const key of [...new Set(locks)].sort((a, b) => a - b)) {
          await sql`select pg_advisory_xact_lock(${key})`.execute(tx);
        }
        await tx.executeQuery(claimConnection((connection) => deferring.set(tx, connection)));
        try {
          return await work(tx);
        } finally {
          deferring.delete(tx);
          await settled(tx);
        }
      }),
      DURABLE,
    ),
};

/** Statements of a transaction sent ahead that nobody has awaited yet (see sendAhead). */
const ahead = new WeakMap<Db, Set<Promise<unknown>>>();

/**
 * Sends `statement` ahead: the transaction goes on while it travels, and ends only once it has
 * answered, failing with its error if it failed (rather than with the bare rollback that
 * PostgreSQL answers a COMMIT with after an error nobody awaited).
 */
export function sendAhead<T>(tx: Db, statement: Promise<T>): Promise<T> {
  let pending = ahead.get(tx);
  if (pending === undefined) {
    pending = new Set();
    ahead.set(tx, pending);
  }
  const tracked = statement.finally(() => pending.delete(tracked));
  pending.add(tracked);
  // Awaited before the commit (see settled); meanwhile a failure is not an unhandled one.
  tracked.catch(() => undefined);
  return tracked;
}

/** Waits for what `tx` sent ahead; throws the first failure. */
async function settled(tx: Db): Promise<void> {
  const pending = ahead.get(tx);
  if (pending === undefined) return;
  while (pending.size > 0) await Promise.all([...pending]);
}

/** An open database: the query builder plus what differs between the two engines. */
export interface Database {
  readonly db: Db;
  readonly dialect: DialectSql;
  /**
   * A write transaction, serialised with other writers holding any of `locks`; resolves once
   * it is durable.
   */
  write<T>(work: (tx: Db) => Promise<T>, locks?: readonly number[]): Promise<T>;
  /**
   * write(), resolving as soon as the transaction committed: the next one can run while the
   * disk flushes this one (see Committed).
   */
  commit<T>(work: (tx: Db) => Promise<T>, locks?: readonly number[]): Promise<Committed<T>>;
  close(): Promise<void>;
}

function database(db: Db, dialect: DialectSql, onClose?: () => Promise<void>): Database {
  const commit: Database['commit'] = (work, locks = []) =>
    dialect.writeTransaction(db, work, locks);
  return {
    db,
    dialect,
    write: durableWrite(commit),
    commit,
    close: async () => {
      await db.destroy();
      await onClose?.();
    },
  };
}

const STATEMENT_CACHE_SIZE = 1000;

/**
 * better-sqlite3 behind Kysely, with prepared statements cached by SQL text: Kysely prepares
 * every query anew, and preparing costs more than running a small indexed query.
 */
function cachingConnection(
  connection: SqliteDatabase.Database,
  deferred: DeferredWrites,
  onWrite: () => void,
): SqliteDialectDatabase & { prepare(text: string): SqliteDatabase.Statement } {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const run = directRunner({ prepare: (text) => prepare(text) });
  const prepare = (text: string) => {
    // Every statement, through Kysely or direct, runs after the writes deferred before it.
    if (deferred.size > 0) for (const query of deferred.take()) run(query.sql, query.parameters);
    let statement = statements.get(text);
    if (statement === undefined) {
      statement = connection.prepare(text);
      if (statements.size < STATEMENT_CACHE_SIZE) statements.set(text, statement);
    }
    if (!statement.reader) onWrite();
    return statement;
  };
  return {
    close: () => connection.close(),
    prepare,
  };
}

/** Runs a statement as Kysely's SQLite driver would, and answers as it does. */
function directRunner(statements: { prepare(text: string): SqliteDatabase.Statement }) {
  return (text: string, parameters: readonly unknown[]): QueryResult<unknown> => {
    const statement = statements.prepare(text);
    // One array binds the values in order, as Kysely's driver passes them: no spread of a
    // multi-row insert's thousand values into arguments.
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return {
      rows: [],
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
    };
  };
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
  // FULL: a statement that returned has reached the disk; nothing answered 2xx is lost. Write
  // transactions commit with NORMAL and flush the log themselves (see WalSync).
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 10000');
  const wal = path === ':memory:' ? null : new WalSync(`${path}-wal`);
  const checkpointer = path === ':memory:' ? null : walCheckpointer(connection, path);
  const deferred = new DeferredWrites({ placeholders: 'positional', maxRows: 64 });
  const statements = cachingConnection(connection, deferred, () => checkpointer?.wrote());
  const durability: SqliteDurability = {
    // Run as text every time: SQLite applies this pragma when it compiles it, so a prepared
    // one run again may change nothing.
    synchronous: (mode) => connection.exec(`pragma synchronous = ${mode}`),
    wal,
    checkpointer,
    direct: directRunner(statements),
    deferred,
  };
  const dialect = new SqliteDialect({ database: statements });
  return database(new Kysely<AnySchema>({ dialect }), sqliteSql(durability), async () => {
    await checkpointer?.close();
    await wal?.close();
  });
}

/** Checkpoints off the event loop (see WalCheckpointer), SQLite's own when that fails. */
function walCheckpointer(connection: SqliteDatabase.Database, path: string): WalCheckpointer {
  connection.pragma('wal_autocheckpoint = 0');
  return new WalCheckpointer(path, (error) => {
    connection.pragma('wal_autocheckpoint = 1000');
    process.emitWarning(`WAL checkpoints run in the commit again: ${error}`);
  });
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: postgresTypes() });
  return database(new Kysely<AnySchema>({ dialect: postgresDialect(pool) }), postgresSql);
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

/** Most values one `in (…)` list binds: well below either engine's parameter limit. */
export const MAX_IN_LIST = 5000;

/** `ids` in slices short enough for one `in (…)` list each. */
export function inSlices<T>(ids: readonly T[]): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < ids.length; i += MAX_IN_LIST) slices.push(ids.slice(i, i + MAX_IN_LIST));
  return slices;
}

import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';

import { DeferredWrites, type DeferringTarget } from './deferred-writes.js';
import { inlineParameters, isLiteral } from './sql-literals.js';

const CLAIM = Symbol('faultline.claim');

/**
 * A statement that sends nothing: the connection running it hands itself to `take`. Run in a
 * transaction, it gives the transaction's connection, on which writes nobody reads the result
 * of can then wait for the next statement and travel with it in one round trip; an error of
 * theirs surfaces there and fails the transaction as it would have.
 */
export function claimConnection(take: (connection: DeferringTarget) => void): CompiledQuery {
  return { ...CompiledQuery.raw('select 1'), [CLAIM]: take } as CompiledQuery;
}

const claimOf = (query: CompiledQuery) =>
  (query as { [CLAIM]?: (connection: DeferringTarget) => void })[CLAIM];

const AFFECTING = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

function resultOf<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount, rows } = result;
  if (command === 'ROLLBACK' || command === 'COMMIT') return { rows: [{ command } as R] };
  return {
    rows: rows as R[],
    ...(AFFECTING.has(command) ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}),
  };
}

/** One pooled client, holding the deferred writes of its transaction until the next query. */
class DeferringConnection implements DatabaseConnection, DeferringTarget {
  private pending = new DeferredWrites({
    placeholders: 'numbered',
    maxRows: 1000,
    accepts: isLiteral,
  });
  /** Set when a rollback failed: the client is then closed rather than pooled again. */
  broken = false;
  /** Only a transaction defers: outside one, the next statement may never come. */
  inTransaction = false;

  constructor(readonly client: pg.PoolClient) {}

  add(query: CompiledQuery): boolean {
    return this.inTransaction && this.pending.add(query);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const claim = claimOf(query);
    if (claim !== undefined) {
      claim(this);
      return { rows: [] };
    }
    if (this.pending.size === 0) {
      return resultOf<R>(await this.client.query(query.sql, [...query.parameters]));
    }
    const last = inlineParameters(query);
    const batch = this.pending.take().map((q) => inlineParameters(q)!);
    if (last === null) {
      await this.client.query(batch.join(';\n'));
      return resultOf<R>(await this.client.query(query.sql, [...query.parameters]));
    }
    const results = (await this.client.query([...batch, last].join(';\n'))) as unknown;
    const all = Array.isArray(results)
      ? (results as pg.QueryResult[])
      : [results as pg.QueryResult];
    return resultOf<R>(all[all.length - 1]!);
  }

  /** Forgets the deferred writes of a transaction being rolled back. */
  discard(): void {
    this.pending.take();
    this.inTransaction = false;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported');
  }
}

/** Kysely's driver for PostgreSQL, over a pg pool, with deferred writes (see claimConnection). */
class DeferringDriver implements Driver {
  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new DeferringConnection(await this.pool.connect());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const mode = [
      settings.isolationLevel === undefined ? '' : ` isolation level ${settings.isolationLevel}`,
      settings.accessMode === undefined ? '' : ` ${settings.accessMode}`,
    ].join('');
    await connection.executeQuery(CompiledQuery.raw(`start transaction${mode}`));
    (connection as DeferringConnection).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const own = connection as DeferringConnection;
    own.inTransaction = false;
    const { rows } = await own.executeQuery<{ command?: string }>(CompiledQuery.raw('commit'));
    // COMMIT answers ROLLBACK when an earlier statement left the transaction aborted.
    if (rows[0]?.command === 'ROLLBACK') throw new Error('the transaction was rolled back');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const own = connection as DeferringConnection;
    own.discard();
    try {
      await own.executeQuery(CompiledQuery.raw('rollback'));
    } catch (error) {
      own.broken = true;
      throw error;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const own = connection as DeferringConnection;
    own.discard();
    own.client.release(own.broken);
  }

  async destroy(): Promise<void> {
    await this.pool.end();
  }
}

/** PostgreSQL as Kysely's own dialect has it, with Faultline's deferring driver. */
export function postgresDialect(pool: pg.Pool): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DeferringDriver(pool),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

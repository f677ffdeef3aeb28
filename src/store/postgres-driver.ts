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
import pg from 'pg';

const DEFERRED = Symbol('faultline.deferred');

/**
 * Marks a write whose result nobody reads. On PostgreSQL it waits for the next statement of
 * its transaction and travels with it in one round trip; its error, if any, surfaces there
 * and fails the transaction as it would have. Elsewhere it runs as usual.
 */
export function deferred(query: CompiledQuery): CompiledQuery {
  return { ...query, [DEFERRED]: true } as CompiledQuery;
}

const isDeferred = (query: CompiledQuery) => (query as { [DEFERRED]?: boolean })[DEFERRED] === true;

type Literal = string | number | bigint | boolean | null | undefined;

function isLiteral(value: unknown): value is Literal {
  const type = typeof value;
  if (type === 'number') return Number.isFinite(value);
  return value == null || type === 'string' || type === 'bigint' || type === 'boolean';
}

/**
 * A value as the untyped literal PostgreSQL infers a type for from where it stands, as it
 * does for a parameter sent as text (what pg sends): `'1'` fits an integer and a boolean.
 */
function literal(value: Literal): string {
  return value === null || value === undefined ? 'NULL' : pg.escapeLiteral(String(value));
}

/**
 * The statement with its `$n` parameters written in as literals, for the simple protocol that
 * takes several statements at once; null when a parameter has no plain literal form. Quoted
 * text and identifiers are copied as they are.
 */
export function inlineParameters(query: CompiledQuery): string | null {
  const values = query.parameters;
  if (!values.every(isLiteral)) return null;
  const sql = query.sql;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      out += literal(values[Number(sql.slice(i + 1, j)) - 1] as Literal);
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

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
class DeferringConnection implements DatabaseConnection {
  private pending: string[] = [];
  /** Set when a rollback failed: the client is then closed rather than pooled again. */
  broken = false;
  /** Only a transaction defers: outside one, the next statement may never come. */
  inTransaction = false;

  constructor(readonly client: pg.PoolClient) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction && isDeferred(query)) {
      const text = inlineParameters(query);
      if (text !== null) {
        this.pending.push(text);
        return { rows: [] };
      }
    }
    if (this.pending.length === 0) {
      return resultOf<R>(await this.client.query(query.sql, [...query.parameters]));
    }
    const last = inlineParameters(query);
    const batch = this.pending;
    this.pending = [];
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
    this.pending = [];
    this.inTransaction = false;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported');
  }
}

/** Kysely's driver for PostgreSQL, over a pg pool, with deferred writes (see `deferred`). */
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

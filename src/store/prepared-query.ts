import type { Compilable, CompiledQuery, DialectAdapter, QueryResult } from 'kysely';

import { deferDirect, runDirect, type Db } from './database.js';

/** Stands for the i-th value of a prepared query while it is built. */
function marker(i: number): string {
  return `\u0000faultline-parameter-${i}\u0000`;
}

interface Compiled {
  readonly query: CompiledQuery;
  /** For each parameter of the SQL: the index of the value it takes, or a constant of `build`. */
  readonly order: readonly (number | { readonly constant: unknown })[];
}

/**
 * A query built and compiled once per dialect and then run with new values. Kysely builds and
 * compiles every query anew, which on the hot path of alert ingestion costs more than running
 * the statement itself; the SQL text stays the same, so SQLite's statement cache also hits.
 * `build` receives one marker per value and must use each marker as a plain value; any other
 * value it writes into the query is a constant of every run.
 */
export class PreparedQuery<Values extends readonly unknown[]> {
  private readonly compiled = new WeakMap<DialectAdapter, Compiled>();

  constructor(
    private readonly arity: Values['length'],
    private readonly build: (db: Db, values: readonly string[]) => Compilable,
  ) {}

  private compile(db: Db): Compiled {
    const adapter = db.getExecutor().adapter;
    let compiled = this.compiled.get(adapter);
    if (compiled === undefined) {
      const markers = Array.from({ length: this.arity }, (_, i) => marker(i));
      const query = this.build(db, markers).compile();
      const order = query.parameters.map((p) => {
        const at = markers.indexOf(p as string);
        return at < 0 ? { constant: p } : at;
      });
      compiled = { query, order };
      this.compiled.set(adapter, compiled);
    }
    return compiled;
  }

  /** The compiled query with `values` in place of its markers. */
  private bind(db: Db, values: Values): CompiledQuery {
    const { query, order } = this.compile(db);
    const parameters = order.map((i) => (typeof i === 'number' ? values[i] : i.constant));
    return { ...query, parameters };
  }

  async execute<Row = Record<string, unknown>>(db: Db, values: Values): Promise<QueryResult<Row>> {
    const query = this.bind(db, values);
    return runDirect<Row>(db, query.sql, query.parameters) ?? db.executeQuery<Row>(query);
  }

  /**
   * Runs a write whose result nobody reads. In a write transaction it waits for the next
   * statement and travels with it (see deferDirect): its failure fails the transaction there.
   */
  defer(db: Db, values: Values): Promise<void> {
    return runDeferred(db, this.bind(db, values));
  }

  /** The rows the query returns. */
  async rows<Row = Record<string, unknown>>(db: Db, values: Values): Promise<Row[]> {
    return (await this.execute<Row>(db, values)).rows;
  }
}

const updates = new Map<string, PreparedQuery<unknown[]>>();

/**
 * `update table set <changes> where id = ?`, prepared once per table and list of columns: the
 * hot updates (an incident's latest event, its severity) take few shapes.
 */
export function updateById(
  db: Db,
  table: string,
  id: number,
  changes: Readonly<Record<string, unknown>>,
): Promise<QueryResult<unknown>> {
  const [query, values] = updateQuery(table, id, changes);
  return query.execute(db, values);
}

/** updateById when nobody reads how many rows changed (see PreparedQuery.defer). */
export function deferUpdateById(
  db: Db,
  table: string,
  id: number,
  changes: Readonly<Record<string, unknown>>,
): Promise<void> {
  const [query, values] = updateQuery(table, id, changes);
  return query.defer(db, values);
}

function updateQuery(
  table: string,
  id: number,
  changes: Readonly<Record<string, unknown>>,
): [PreparedQuery<unknown[]>, unknown[]] {
  // Keyed in the order given, unsorted: callers build their changes in a few fixed orders.
  const columns = Object.keys(changes);
  const key = `${table}\u0000${columns.join('\u0000')}`;
  let query = updates.get(key);
  if (query === undefined) {
    query = new PreparedQuery<unknown[]>(columns.length + 1, (b, v) =>
      b
        .updateTable(table)
        .set(Object.fromEntries(columns.map((c, i) => [c, v[i]])))
        .where('id', '=', v[columns.length]!),
    );
    updates.set(key, query);
  }
  return [query, [...columns.map((c) => changes[c]), id]];
}

/**
 * Runs a write built for this one call whose result nobody reads, as PreparedQuery.defer does:
 * on PostgreSQL it travels with the next statement of the transaction.
 */
export function deferWrite(db: Db, query: Compilable): Promise<void> {
  return runDeferred(db, query.compile());
}

/** Held by the connection of a write transaction (see deferDirect); else run at once. */
async function runDeferred(db: Db, query: CompiledQuery): Promise<void> {
  if (deferDirect(db, query)) return;
  await db.executeQuery(query);
}

import { PostgresAdapter, sql } from 'kysely';

import type { Db } from './database.js';

/** How many ids one trip to a PostgreSQL sequence reserves. */
const BLOCK = 64;

/** The ids reserved and not yet used, by transaction and table. */
const reserved = new WeakMap<Db, Map<string, number[]>>();

/**
 * An id for a row about to be inserted into `table`, handed out ahead by PostgreSQL's sequence
 * (in blocks, one round trip for many rows), so that the insert needs no answer and can travel
 * deferred with the next statement. Null on SQLite, whose inserts run at once and answer with
 * their id. An id reserved and not used (a transaction rolled back) is skipped, as sequences
 * always do.
 */
export async function reserveId(tx: Db, table: string): Promise<number | null> {
  if (!(tx.getExecutor().adapter instanceof PostgresAdapter)) return null;
  let tables = reserved.get(tx);
  if (tables === undefined) {
    tables = new Map();
    reserved.set(tx, tables);
  }
  let ids = tables.get(table);
  if (ids === undefined || ids.length === 0) {
    const result = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id'))
      as id from generate_series(1, ${BLOCK})`.execute(tx);
    ids = result.rows.map((row) => Number(row.id)).reverse();
    tables.set(table, ids);
  }
  return ids.pop()!;
}

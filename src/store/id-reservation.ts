import { PostgresAdapter, sql } from 'kysely';

import { isSqliteWrite, runDirect, sendAhead, type Db } from './database.js';

/** How many ids one reservation hands out. */
const BLOCK = 64;

/**
 * On PostgreSQL the next block is asked for while this many ids of the current one are left:
 * it travels (with the writes waiting to go) while the transaction goes on deciding, instead
 * of holding it up when the block runs out.
 */
const ASK_AHEAD_AT = 16;

/** The ids reserved and not yet used of one table, and the next block when asked ahead. */
interface Reservation {
  ids: number[];
  next: Promise<number[]> | null;
}

/** The reservations of each transaction, by table. */
const reserved = new WeakMap<Db, Map<string, Reservation>>();

/**
 * An id for a row about to be inserted into `table`, handed out ahead, so that the insert needs
 * no answer: on PostgreSQL it can travel deferred with the next statement, on SQLite it can
 * wait until the row is complete. PostgreSQL's sequence hands out blocks (one round trip for
 * many rows); an id reserved and not used (a transaction rolled back) is skipped, as sequences
 * always do. On SQLite the write transaction holds the database's write lock, so the ids after
 * the table's AUTOINCREMENT counter are this transaction's: every insert into `table` in it
 * must then take its id from here. Null outside a write transaction on SQLite.
 */
export async function reserveId(tx: Db, table: string): Promise<number | null> {
  const postgres = tx.getExecutor().adapter instanceof PostgresAdapter;
  if (!postgres && !isSqliteWrite(tx)) return null;
  let tables = reserved.get(tx);
  if (tables === undefined) {
    tables = new Map();
    reserved.set(tx, tables);
  }
  let reservation = tables.get(table);
  if (reservation === undefined) {
    reservation = { ids: [], next: null };
    tables.set(table, reservation);
  }
  if (reservation.ids.length === 0) {
    const next = reservation.next;
    reservation.next = null;
    reservation.ids = postgres ? await (next ?? postgresBlock(tx, table)) : sqliteBlock(tx, table);
  }
  const id = reservation.ids.pop()!;
  if (postgres && reservation.ids.length === ASK_AHEAD_AT && reservation.next === null) {
    reservation.next = sendAhead(tx, postgresBlock(tx, table));
  }
  return id;
}

/** The next BLOCK ids of `table`'s sequence, last first. */
async function postgresBlock(tx: Db, table: string): Promise<number[]> {
  const result = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id'))
    as id from generate_series(1, ${BLOCK})`.execute(tx);
  return result.rows.map((row) => Number(row.id)).reverse();
}

/** The BLOCK ids after the AUTOINCREMENT counter (or after the last block), last first. */
function sqliteBlock(tx: Db, table: string): number[] {
  let last = lastHandedOut.get(tx)?.get(table);
  if (last === undefined) {
    const result = runDirect<{ seq: number }>(tx, SQLITE_COUNTER, [table])!;
    last = Number(result.rows[0]?.seq ?? 0);
  }
  const ids = Array.from({ length: BLOCK }, (_, i) => last + BLOCK - i);
  let tables = lastHandedOut.get(tx);
  if (tables === undefined) {
    tables = new Map();
    lastHandedOut.set(tx, tables);
  }
  tables.set(table, last + BLOCK);
  return ids;
}

/** Where SQLite keeps the highest id an AUTOINCREMENT table has used. */
const SQLITE_COUNTER = 'select seq from sqlite_sequence where name = ?';

/** On SQLite, the highest id handed out so far, by transaction and table. */
const lastHandedOut = new WeakMap<Db, Map<string, number>>();

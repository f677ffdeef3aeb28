import { isSqliteWrite, runDirect, type Db } from '../store/database.js';
import { reserveId } from '../store/id-reservation.js';
import { PreparedQuery } from '../store/prepared-query.js';
import type { CorrelationRecord } from './event-input.js';
import { noteDecision, saveCorrelation } from './event-rows.js';

/**
 * What an alert sets on its event row, new or repeated. Every key is always present (one
 * object shape on the hot path); raw, tags and custom_fields are undefined when the alert
 * does not give them, and a repeat then keeps the stored ones.
 */
export interface EventValues {
  readonly message: string;
  readonly dedup_id: string;
  readonly status: string;
  readonly criticality: string;
  readonly event_source_id: number | null;
  readonly source_key: number;
  readonly object_type: string | null;
  readonly object_id: number | null;
  readonly is_valid: 0 | 1;
  readonly invalid_reason: string | null;
  readonly maintenance_id: number | null;
  readonly last_updated: string;
  readonly raw: string | undefined;
  readonly tags: string | undefined;
  readonly custom_fields: string | undefined;
}

/** The columns of a new event, in the order of newEventColumns. */
const INSERTED_COLUMNS = [
  'message',
  'dedup_id',
  'status',
  'criticality',
  'event_source_id',
  'source_key',
  'object_type',
  'object_id',
  'is_valid',
  'invalid_reason',
  'maintenance_id',
  'last_updated',
  'raw',
  'tags',
  'custom_fields',
  'created_at',
  'last_seen_at',
  'occurrences',
  'created',
] as const;

/** A new event's values in INSERTED_COLUMNS order: first seen at `time`, stored at `now`. */
function newEventColumns(v: EventValues, time: string, now: string): unknown[] {
  return [
    v.message,
    v.dedup_id,
    v.status,
    v.criticality,
    v.event_source_id,
    v.source_key,
    v.object_type,
    v.object_id,
    v.is_valid,
    v.invalid_reason,
    v.maintenance_id,
    v.last_updated,
    v.raw ?? '{}',
    v.tags ?? '[]',
    v.custom_fields ?? '{}',
    time,
    time,
    1,
    now,
  ];
}

/** The insert answers with no rows: its id comes back as the connection's last insert id. */
const INSERT_EVENT = new PreparedQuery<unknown[]>(INSERTED_COLUMNS.length, (db, v) =>
  db.insertInto('events').values(Object.fromEntries(INSERTED_COLUMNS.map((c, i) => [c, v[i]]))),
);

/** INSERT_EVENT with an id reserved ahead (see reserveId): nobody waits for its answer. */
const INSERT_EVENT_AS = new PreparedQuery<unknown[]>(INSERTED_COLUMNS.length + 1, (db, v) =>
  db.insertInto('events').values({
    ...Object.fromEntries(INSERTED_COLUMNS.map((c, i) => [c, v[i]])),
    id: v[INSERTED_COLUMNS.length],
  }),
);

/** INSERT_EVENT_AS with the event's decision and its time. */
const INSERT_DECIDED_EVENT = new PreparedQuery<unknown[]>(INSERTED_COLUMNS.length + 3, (db, v) =>
  db.insertInto('events').values({
    ...Object.fromEntries(INSERTED_COLUMNS.map((c, i) => [c, v[i]])),
    id: v[INSERTED_COLUMNS.length],
    correlation: v[INSERTED_COLUMNS.length + 1],
    processed_at: v[INSERTED_COLUMNS.length + 2],
  }),
);

/** New events of an SQLite write transaction whose rows wait for their decision, by id. */
const waiting = new WeakMap<Db, Map<number, unknown[]>>();

/**
 * Stores a new event and answers its id. On SQLite the row waits for the event's decision
 * (completeEvent), so that it is written once, decision included, rather than inserted and
 * then updated; the transaction checks foreign keys at its commit, since the incident links
 * made by the decision come before the row. Nothing may read the row until completeEvent.
 */
export async function insertEvent(
  tx: Db,
  values: EventValues,
  time: string,
  now: string,
): Promise<number> {
  const columns = newEventColumns(values, time, now);
  const id = await reserveId(tx, 'events');
  if (id === null) {
    const { insertId } = await INSERT_EVENT.execute(tx, columns);
    if (insertId === undefined) throw new Error('the events insert answered no id');
    return Number(insertId);
  }
  columns.push(id);
  if (!isSqliteWrite(tx)) {
    // With its decision empty: the decision's update joins the insert while both wait
    // (see DeferredWrites).
    columns.push(null, null);
    await INSERT_DECIDED_EVENT.defer(tx, columns);
    return id;
  }
  let rows = waiting.get(tx);
  if (rows === undefined) {
    rows = new Map();
    waiting.set(tx, rows);
    // Switches itself off when the transaction ends.
    runDirect(tx, 'pragma defer_foreign_keys = on', []);
  }
  rows.set(id, columns);
  return id;
}

/**
 * Stores the decision about a processed event (null: none was taken): with the event's row
 * when it waits, else on the stored row. Call it once per processed event, after its decision.
 */
export async function completeEvent(
  tx: Db,
  id: number,
  record: CorrelationRecord | null,
): Promise<void> {
  const rows = waiting.get(tx);
  const columns = rows?.get(id);
  if (columns === undefined) {
    if (record !== null) await saveCorrelation(tx, id, record);
    return;
  }
  rows!.delete(id);
  if (record === null) {
    await INSERT_EVENT_AS.defer(tx, columns);
    return;
  }
  noteDecision(tx, record);
  columns.push(JSON.stringify(record), record.decided_at);
  await INSERT_DECIDED_EVENT.defer(tx, columns);
}

/** The values a repeat or an edit writes over the stored row: those the alert gave. */
export function changedEventValues(values: EventValues): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(values)) {
    if (value !== undefined) changed[column] = value;
  }
  return changed;
}

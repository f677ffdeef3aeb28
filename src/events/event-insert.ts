import type { Db } from '../store/database.js';
import { reserveId } from '../store/id-reservation.js';
import { PreparedQuery } from '../store/prepared-query.js';

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

/**
 * INSERT_EVENT with an id reserved ahead (see reserveId), nobody waiting for its answer, and
 * the event's decision and its time.
 */
const INSERT_EVENT_AS = new PreparedQuery<unknown[]>(INSERTED_COLUMNS.length + 3, (db, v) =>
  db.insertInto('events').values({
    ...Object.fromEntries(INSERTED_COLUMNS.map((c, i) => [c, v[i]])),
    id: v[INSERTED_COLUMNS.length],
    correlation: v[INSERTED_COLUMNS.length + 1],
    processed_at: v[INSERTED_COLUMNS.length + 2],
  }),
);

/**
 * Stores a new event and answers its id. Its id is reserved ahead, so the insert waits for the
 * transaction's next statement, and the update with its decision that follows joins it there
 * (see DeferredWrites): the row is written once, decision included.
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
  // With its decision empty, for the decision's update to fill in.
  columns.push(id, null, null);
  await INSERT_EVENT_AS.defer(tx, columns);
  return id;
}

/** The values a repeat or an edit writes over the stored row: those the alert gave. */
export function changedEventValues(values: EventValues): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(values)) {
    if (value !== undefined) changed[column] = value;
  }
  return changed;
}

import type { Severity } from '../config/settings.js';
import { inSlices, type Db } from '../store/database.js';
import { insertNewObject } from '../store/new-object.js';
import { PreparedQuery } from '../store/prepared-query.js';
import type { CorrelationRecord } from './event-input.js';
import type { EventStatus } from './event-specs.js';

/** The stored fields of an event the automation reads back. */
export interface StoredEvent {
  readonly id: number;
  readonly status: string;
  readonly criticality: Severity;
  readonly objectType: string | null;
  readonly objectId: number | null;
  readonly correlation: CorrelationRecord | null;
}

function toStored(row: Record<string, unknown>): StoredEvent {
  const correlation =
    typeof row.correlation === 'string' ? JSON.parse(row.correlation) : row.correlation;
  return {
    id: Number(row.id),
    status: String(row.status),
    criticality: row.criticality as Severity,
    objectType: (row.object_type as string | null) ?? null,
    objectId: row.object_id === null ? null : Number(row.object_id),
    correlation: (correlation as CorrelationRecord | null) ?? null,
  };
}

const COLUMNS = ['id', 'status', 'criticality', 'object_type', 'object_id', 'correlation'] as const;

const BY_ALERT = new PreparedQuery<[number, string]>(2, (db, [sourceKey, dedupId]) =>
  db
    .selectFrom('events')
    .select([...COLUMNS])
    .where('source_key', '=', sourceKey!)
    .where('dedup_id', '=', dedupId!),
);

/** Per transaction, dedup ids no stored event has (see prefetchAlerts). */
const knownAbsent = new WeakMap<Db, Set<string>>();

/**
 * Looks up, in one query, which of a batch's dedup ids no stored event has: findEventByAlert
 * then answers those without a query of its own, until the transaction stores one of them.
 * (New alerts need no lookup at all: on PostgreSQL, no round trip each.)
 */
export async function prefetchAlerts(tx: Db, dedupIds: readonly string[]): Promise<void> {
  const absent = new Set(dedupIds);
  for (const slice of inSlices([...absent])) {
    const rows = await tx
      .selectFrom('events')
      .select('dedup_id')
      .where('dedup_id', 'in', slice)
      .execute();
    for (const row of rows) absent.delete(String(row.dedup_id));
  }
  knownAbsent.set(tx, absent);
}

/** An event with this dedup id is now stored (or renamed to it) in the transaction. */
export function noteAlertStored(tx: Db, dedupId: string): void {
  knownAbsent.get(tx)?.delete(dedupId);
}

export async function findEventByAlert(
  tx: Db,
  sourceKey: number,
  dedupId: string,
): Promise<StoredEvent | null> {
  if (knownAbsent.get(tx)?.has(dedupId) === true) return null;
  const [row] = await BY_ALERT.rows(tx, [sourceKey, dedupId]);
  return row === undefined ? null : toStored(row);
}

export async function findEventById(tx: Db, id: number): Promise<StoredEvent | null> {
  const row = await tx
    .selectFrom('events')
    .select([...COLUMNS])
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : toStored(row);
}

/** The id of the event source named `name`, created on first use. */
const SOURCE_BY_NAME = new PreparedQuery<[string]>(1, (db, [name]) =>
  db.selectFrom('event_sources').select('id').where('name', '=', name!),
);

/**
 * Source ids by name within one transaction: a batch of alerts mostly comes from one source,
 * and on PostgreSQL every statement is a round trip. A source another transaction deletes
 * meanwhile fails the event's insert, as it would have without the cache; the batch is then
 * retried one alert at a time, each in a new transaction that looks the source up afresh.
 */
const sourcesInTransaction = new WeakMap<Db, Map<string, number>>();

/** The id of the event source `name`, created when it is new. */
export async function sourceIdByName(tx: Db, name: string, now: string): Promise<number> {
  let known = sourcesInTransaction.get(tx);
  if (known === undefined) {
    known = new Map();
    sourcesInTransaction.set(tx, known);
  }
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  const id = await findOrCreateSource(tx, name, now);
  known.set(name, id);
  return id;
}

async function findOrCreateSource(tx: Db, name: string, now: string): Promise<number> {
  const [found] = await SOURCE_BY_NAME.rows(tx, [name]);
  if (found !== undefined) return Number(found.id);
  const description = `Created for alerts from ${name}`;
  return insertNewObject(tx, 'event_sources', now, { name, description });
}

/** A stored event as manual processing reads it. */
export interface ProcessableEvent {
  readonly id: number;
  readonly message: string;
  readonly dedupId: string;
  readonly status: EventStatus;
  readonly criticality: Severity;
  readonly objectType: string | null;
  readonly objectId: number | null;
  /** When it first fired (ISO 8601): the time manual processing correlates it at. */
  readonly createdAt: string;
}

export async function readEventForProcessing(ex: Db, id: number): Promise<ProcessableEvent | null> {
  const row = await ex
    .selectFrom('events')
    .select(['id', 'message', 'dedup_id', 'status', 'criticality', 'object_type', 'object_id'])
    .select('created_at')
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    id: Number(row.id),
    message: String(row.message),
    dedupId: String(row.dedup_id),
    status: row.status as EventStatus,
    criticality: row.criticality as Severity,
    objectType: (row.object_type as string | null) ?? null,
    objectId: row.object_id === null ? null : Number(row.object_id),
    createdAt: String(row.created_at),
  };
}

export async function sourceExists(tx: Db, id: number): Promise<boolean> {
  const row = await tx.selectFrom('event_sources').select('id').where('id', '=', id).execute();
  return row.length > 0;
}

/** Open incidents (new, investigating, identified) that hold the event. */
const OPEN_INCIDENTS_OF = new PreparedQuery<[number]>(1, (db, [eventId]) =>
  db
    .selectFrom('incident_events as ie')
    .innerJoin('incidents as i', 'i.id', 'ie.incident_id')
    .select('i.id')
    .where('ie.event_id', '=', eventId!)
    .where('i.status', 'in', ['new', 'investigating', 'identified'])
    .orderBy('i.id'),
);

export async function openIncidentsOf(tx: Db, eventId: number): Promise<number[]> {
  const rows = await OPEN_INCIDENTS_OF.rows(tx, [eventId]);
  return rows.map((r) => Number(r.id));
}

const SAVE_CORRELATION = new PreparedQuery<[string, string, number]>(3, (db, [json, at, id]) =>
  db.updateTable('events').set({ correlation: json, processed_at: at }).where('id', '=', id!),
);

/** The time of the latest decision, which the status endpoint reports; it never goes back. */
const SAVE_LAST_DECISION = new PreparedQuery<[string]>(1, (db, [at]) =>
  db
    .updateTable('automation_state')
    .set({ last_processed_at: at! })
    .where('id', '=', 1)
    .where((eb) => eb.or([eb('last_processed_at', 'is', null), eb('last_processed_at', '<', at!)])),
);

/** Per transaction, the time of its latest decision (see saveLastDecision). */
const latestDecision = new WeakMap<Db, string>();

export async function saveCorrelation(
  tx: Db,
  eventId: number,
  record: CorrelationRecord,
): Promise<void> {
  await SAVE_CORRELATION.defer(tx, [JSON.stringify(record), record.decided_at, eventId]);
  const latest = latestDecision.get(tx);
  if (latest === undefined || record.decided_at > latest) latestDecision.set(tx, record.decided_at);
}

/** Records the transaction's latest decision time, once for all its decisions: call it last. */
export async function saveLastDecision(tx: Db): Promise<void> {
  const at = latestDecision.get(tx);
  if (at === undefined) return;
  latestDecision.delete(tx);
  await SAVE_LAST_DECISION.defer(tx, [at]);
}

/** When the automation last decided about an event; null before its first decision. */
export async function lastDecisionAt(ex: Db): Promise<string | null> {
  const row = await ex
    .selectFrom('automation_state')
    .select('last_processed_at')
    .where('id', '=', 1)
    .executeTakeFirst();
  return row?.last_processed_at == null ? null : String(row.last_processed_at);
}

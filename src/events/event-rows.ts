import type { Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';
import type { CorrelationRecord } from './event-input.js';
import type { EventStatus } from './event-specs.js';

/** The stored fields of an event the automation reads back. */
export interface StoredEvent {
  readonly id: number;
  readonly status: string;
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
    objectType: (row.object_type as string | null) ?? null,
    objectId: row.object_id === null ? null : Number(row.object_id),
    correlation: (correlation as CorrelationRecord | null) ?? null,
  };
}

const COLUMNS = ['id', 'status', 'object_type', 'object_id', 'correlation'] as const;

export async function findEventByAlert(
  tx: Db,
  sourceKey: number,
  dedupId: string,
): Promise<StoredEvent | null> {
  const row = await tx
    .selectFrom('events')
    .select([...COLUMNS])
    .where('source_key', '=', sourceKey)
    .where('dedup_id', '=', dedupId)
    .executeTakeFirst();
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
export async function sourceIdByName(tx: Db, name: string, now: string): Promise<number> {
  const found = await tx
    .selectFrom('event_sources')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirst();
  if (found !== undefined) return Number(found.id);
  const row = await tx
    .insertInto('event_sources')
    .values({
      name,
      description: `Created for alerts from ${name}`,
      created: now,
      last_updated: now,
      tags: '[]',
      custom_fields: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
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
export async function openIncidentsOf(tx: Db, eventId: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('incident_events as ie')
    .innerJoin('incidents as i', 'i.id', 'ie.incident_id')
    .select('i.id')
    .where('ie.event_id', '=', eventId)
    .where('i.status', 'in', ['new', 'investigating', 'identified'])
    .orderBy('i.id')
    .execute();
  return rows.map((r) => Number(r.id));
}

export async function saveCorrelation(
  tx: Db,
  eventId: number,
  record: CorrelationRecord,
): Promise<void> {
  await tx
    .updateTable('events')
    .set({ correlation: JSON.stringify(record), processed_at: record.decided_at })
    .where('id', '=', eventId)
    .execute();
}

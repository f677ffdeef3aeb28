import type { Db } from '../store/database.js';
import type { CorrelationRecord } from './event-input.js';

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

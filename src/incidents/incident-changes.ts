import type { Db } from '../store/database.js';
import { PreparedQuery } from '../store/prepared-query.js';
import type { TimelineKind } from './timeline.js';

/** Where the incident records stood when a transaction began: the newest ids. */
export interface IncidentChangeMark {
  readonly timelineId: number;
  readonly incidentId: number;
}

/** One timeline entry as a change: what happened and its detail. */
export interface ChangeEntry {
  readonly kind: TimelineKind;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Everything a transaction did to one incident, in order. */
export interface IncidentChange {
  readonly incidentId: number;
  /** The incident did not exist when the transaction began. */
  readonly created: boolean;
  readonly entries: readonly ChangeEntry[];
}

/** Told about incidents a regrouping is about to remove, inside the removing transaction. */
export interface IncidentRemovalListener {
  beforeRemove(tx: Db, incidentIds: readonly number[]): Promise<void>;
}

const newestId = (table: string) =>
  new PreparedQuery<[]>(0, (db) => db.selectFrom(table).select((eb) => eb.fn.max('id').as('id')));

/** Every transaction that may change incidents asks these: built and compiled once. */
const NEWEST: Record<string, PreparedQuery<[]>> = {
  incident_timeline: newestId('incident_timeline'),
  incidents: newestId('incidents'),
};

const newest = (ex: Db, table: 'incident_timeline' | 'incidents') =>
  NEWEST[table]!.rows(ex, []).then(([row]) => (row?.id == null ? 0 : Number(row.id)));

/**
 * The mark to read changes after. Call inside a transaction that holds the incidents lock:
 * every incident change takes that lock, so ids above the mark are this transaction's own.
 */
export async function markIncidentChanges(tx: Db): Promise<IncidentChangeMark> {
  return {
    timelineId: await newest(tx, 'incident_timeline'),
    incidentId: await newest(tx, 'incidents'),
  };
}

const parseDetail = (raw: unknown) =>
  (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as Record<string, unknown>;

/**
 * The changes made to incidents since `mark` in this transaction, read from their timelines
 * (every change writes one) and from the incidents opened without one (created by a person
 * through the API). Incidents deleted meanwhile are not listed.
 */
export async function incidentChangesSince(
  tx: Db,
  mark: IncidentChangeMark,
): Promise<IncidentChange[]> {
  const entries = await tx
    .selectFrom('incident_timeline')
    .select(['incident_id', 'kind', 'detail'])
    .where('id', '>', mark.timelineId)
    .orderBy('id')
    .execute();
  const opened = await tx
    .selectFrom('incidents')
    .select('id')
    .where('id', '>', mark.incidentId)
    .orderBy('id')
    .execute();

  const changes = new Map<number, { created: boolean; entries: ChangeEntry[] }>();
  const changeOf = (id: number) => {
    const change = changes.get(id) ?? { created: id > mark.incidentId, entries: [] };
    changes.set(id, change);
    return change;
  };
  for (const row of opened) changeOf(Number(row.id));
  for (const row of entries) {
    const kind = row.kind as TimelineKind;
    changeOf(Number(row.incident_id)).entries.push({ kind, detail: parseDetail(row.detail) });
  }
  return [...changes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([incidentId, change]) => ({ incidentId, ...change }));
}

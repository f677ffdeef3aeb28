import type { Severity } from '../config/settings.js';
import { inSlices, type Db } from '../store/database.js';
import { eventScope, type TargetRef } from '../topology/event-scope.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import { clearIncidentScope, rebuildIncident } from './incident-rebuild.js';
import type { DecidedEvent, IncidentStore, Vacancies } from './incident-store.js';
import { OPEN_INCIDENT_STATUSES } from './incident-spec.js';

/** An event taken out of its incidents to be correlated again. */
export interface RegroupEvent {
  readonly id: number;
  readonly createdAt: string;
  /** The automatically created open incidents holding it now. */
  readonly incidents: readonly number[];
}

/** A set of events and the incident holding them; `incident_id` null for none. */
export interface Group {
  readonly incident_id: number | null;
  /** Only in a plan: the incident would be opened by the regrouping. */
  readonly new?: boolean;
  readonly title: string | null;
  readonly event_ids: number[];
}

const OPEN = [...OPEN_INCIDENT_STATUSES];

/**
 * Firing events created since `since` that belong to automatically created open incidents (of
 * `incidentIds` when given), oldest first. Events held by an incident a person created are
 * never taken.
 */
export async function eventsOfAutoIncidents(
  ex: Db,
  since: string,
  incidentIds: readonly number[] | null,
): Promise<RegroupEvent[]> {
  let query = ex
    .selectFrom('events as e')
    .innerJoin('incident_events as ie', 'ie.event_id', 'e.id')
    .innerJoin('incidents as i', 'i.id', 'ie.incident_id')
    .select(['e.id', 'e.created_at', 'i.id as incident_id'])
    .where('e.status', '=', 'triggered')
    .where('e.created_at', '>=', since)
    .where('i.auto_created', '=', 1)
    .where('i.status', 'in', OPEN)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('incident_events as mine')
            .innerJoin('incidents as manual', 'manual.id', 'mine.incident_id')
            .select('mine.event_id')
            .whereRef('mine.event_id', '=', 'e.id')
            .where('manual.auto_created', '=', 0),
        ),
      ),
    );
  if (incidentIds !== null) query = query.where('i.id', 'in', [...incidentIds]);
  const rows = await query.execute();
  const events = new Map<number, { id: number; createdAt: string; incidents: number[] }>();
  for (const row of rows) {
    const id = Number(row.id);
    const event = events.get(id) ?? { id, createdAt: String(row.created_at), incidents: [] };
    event.incidents.push(Number(row.incident_id));
    events.set(id, event);
  }
  return [...events.values()];
}

/** Orders events as they first fired. */
export function oldestFirst<T extends { id: number; createdAt: string }>(events: T[]): T[] {
  return events.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}

/** The incidents, among `ids`, that exist, and which of them a person created. */
export async function incidentOrigins(
  ex: Db,
  ids: readonly number[],
): Promise<Map<number, { autoCreated: boolean; status: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .selectFrom('incidents')
    .select(['id', 'auto_created', 'status'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        autoCreated: r.auto_created === true || r.auto_created === 1,
        status: String(r.status),
      },
    ]),
  );
}

/** Incidents emptied by a regrouping, on offer to the events they held, first come first. */
export class EmptiedIncidents implements Vacancies {
  private readonly byEvent = new Map<number, number>();
  private readonly reformed = new Set<number>();

  constructor(readonly ids: ReadonlySet<number>) {}

  offer(eventId: number, incidentId: number): void {
    if (this.ids.has(incidentId) && !this.byEvent.has(eventId)) {
      this.byEvent.set(eventId, incidentId);
    }
  }

  take(eventId: number): number | null {
    const id = this.byEvent.get(eventId);
    if (id === undefined || this.reformed.has(id)) return null;
    this.reformed.add(id);
    return id;
  }

  /** Those no event re-formed: they are removed. */
  leftEmpty(): number[] {
    return [...this.ids].filter((id) => !this.reformed.has(id));
  }
}

interface KeptEvent {
  readonly id: number;
  readonly message: string;
  readonly criticality: Severity;
  readonly createdAt: string;
  readonly target: TargetRef | null;
}

async function keptEvents(tx: Db, incidentId: number): Promise<KeptEvent[]> {
  const rows = await tx
    .selectFrom('incident_events as ie')
    .innerJoin('events as e', 'e.id', 'ie.event_id')
    .select(['e.id', 'e.message', 'e.criticality', 'e.created_at', 'e.object_type', 'e.object_id'])
    .where('ie.incident_id', '=', incidentId)
    .orderBy('e.created_at')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    message: String(r.message),
    criticality: r.criticality as Severity,
    createdAt: String(r.created_at),
    target:
      r.object_type === null || r.object_id === null
        ? null
        : { type: r.object_type as TargetRef['type'], id: Number(r.object_id) },
  }));
}

/**
 * Takes the events out of their incidents. An incident left without events is emptied and
 * offered to the events it held; one that keeps events is rebuilt from them.
 */
export async function detachEvents(
  tx: Db,
  store: IncidentStore,
  topology: TopologyIndex,
  events: readonly RegroupEvent[],
): Promise<EmptiedIncidents> {
  const taken = new Map<number, number[]>();
  for (const event of events) {
    for (const incident of event.incidents) {
      const ids = taken.get(incident) ?? [];
      ids.push(event.id);
      taken.set(incident, ids);
    }
  }
  const emptied = new Set<number>();
  const rebuilt: Array<[number, KeptEvent[], number[]]> = [];
  for (const [incident, ids] of taken) {
    for (const slice of inSlices(ids)) {
      await tx
        .deleteFrom('incident_events')
        .where('incident_id', '=', incident)
        .where('event_id', 'in', slice)
        .execute();
    }
    const kept = await keptEvents(tx, incident);
    if (kept.length === 0) emptied.add(incident);
    else rebuilt.push([incident, kept, ids]);
  }
  for (const incident of emptied) await clearIncidentScope(tx, incident);
  for (const [incident, kept, ids] of rebuilt) {
    const decided: DecidedEvent[] = kept
      .filter((e) => e.target !== null && topology.has(e.target.type, e.target.id))
      .map((e) => ({
        id: e.id,
        message: e.message,
        criticality: e.criticality,
        time: e.createdAt,
        scope: eventScope(topology, e.target!),
      }));
    await rebuildIncident(store, tx, incident, decided, ids);
  }

  const vacancies = new EmptiedIncidents(emptied);
  for (const event of events) {
    for (const incident of event.incidents) vacancies.offer(event.id, incident);
  }
  return vacancies;
}

/** Removes the incidents a regrouping left empty. */
export async function removeIncidents(tx: Db, ids: readonly number[]): Promise<void> {
  for (const slice of inSlices(ids)) {
    await tx.deleteFrom('incidents').where('id', 'in', slice).execute();
  }
}

/** How the events are grouped now: by the open incident holding each. */
export async function groupingOf(ex: Db, eventIds: readonly number[]): Promise<Group[]> {
  const rows = [];
  for (const slice of inSlices(eventIds)) {
    const found = await ex
      .selectFrom('incident_events as ie')
      .innerJoin('incidents as i', 'i.id', 'ie.incident_id')
      .select(['ie.event_id', 'i.id', 'i.title'])
      .where('ie.event_id', 'in', slice)
      .where('i.status', 'in', OPEN)
      .execute();
    rows.push(...found);
  }
  const groups = new Map<number, { title: string; events: number[] }>();
  const placed = new Set<number>();
  for (const row of rows) {
    const id = Number(row.id);
    const group = groups.get(id) ?? { title: String(row.title), events: [] };
    group.events.push(Number(row.event_id));
    groups.set(id, group);
    placed.add(Number(row.event_id));
  }
  const out: Group[] = [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, g]) => ({
      incident_id: id,
      title: g.title,
      event_ids: g.events.sort((a, b) => a - b),
    }));
  const loose = eventIds.filter((id) => !placed.has(id));
  if (loose.length > 0) {
    out.push({ incident_id: null, title: null, event_ids: [...loose].sort((a, b) => a - b) });
  }
  return out;
}

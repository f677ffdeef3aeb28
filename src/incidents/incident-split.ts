import { NotFoundError, ValidationError } from '../app-error.js';
import { SEVERITIES, type Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';
import { insertNewObject } from '../store/new-object.js';
import { eventScope, type TargetRef } from '../topology/event-scope.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import { insertLinks } from './incident-links.js';
import type { IncidentStore } from './incident-store.js';
import { addTimelineEntries } from './timeline.js';

export interface SplitRequest {
  readonly incidentId: number;
  readonly eventIds: readonly number[];
  /** Who asked (the API token's name). */
  readonly actor: string;
}

interface MovedEvent {
  readonly id: number;
  readonly criticality: Severity;
  readonly target: TargetRef | null;
}

async function eventsOf(tx: Db, incidentId: number): Promise<MovedEvent[]> {
  const rows = await tx
    .selectFrom('incident_events as ie')
    .innerJoin('events as e', 'e.id', 'ie.event_id')
    .select(['e.id', 'e.criticality', 'e.object_type', 'e.object_id'])
    .where('ie.incident_id', '=', incidentId)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    criticality: r.criticality as Severity,
    target:
      r.object_type === null || r.object_id === null
        ? null
        : ({ type: r.object_type, id: Number(r.object_id) } as TargetRef),
  }));
}

function validate(request: SplitRequest, held: readonly MovedEvent[]): void {
  const heldIds = new Set(held.map((e) => e.id));
  const foreign = request.eventIds.filter((id) => !heldIds.has(id));
  if (request.eventIds.length === 0) {
    throw ValidationError.field('event_ids', 'Name at least one event to move.');
  }
  if (foreign.length > 0) {
    throw ValidationError.field('event_ids', `Not events of this incident: ${foreign.join(', ')}.`);
  }
  if (new Set(request.eventIds).size >= held.length) {
    throw ValidationError.field('event_ids', 'Leave at least one event in the incident.');
  }
}

/**
 * Splits an incident a person judges to be two failures: the named events move to a new
 * incident, which lists their services, devices and VMs; both timelines say so. The new
 * incident is marked as created by that person, not by the automation.
 */
export async function splitIncident(
  tx: Db,
  store: IncidentStore,
  topology: TopologyIndex,
  request: SplitRequest,
): Promise<number> {
  const source = await tx
    .selectFrom('incidents')
    .select(['id', 'status', 'title'])
    .where('id', '=', request.incidentId)
    .executeTakeFirst();
  if (source === undefined) throw new NotFoundError();
  const held = await eventsOf(tx, request.incidentId);
  validate(request, held);

  const moving = held.filter((e) => request.eventIds.includes(e.id));
  const now = store.clock.now().toISOString();
  const id = await insertSplit(tx, request, source, moving, now);

  await tx
    .updateTable('incident_events')
    .set({ incident_id: id })
    .where('incident_id', '=', request.incidentId)
    .where('event_id', 'in', [...request.eventIds])
    .execute();
  await linkScopes(tx, topology, id, moving);
  const detail = { from: request.incidentId, into: id, event_ids: request.eventIds };
  const message = `Events ${request.eventIds.join(', ')}`;
  await addTimelineEntries(tx, request.incidentId, [
    {
      at: now,
      actor: request.actor,
      kind: 'split',
      message: `${message} split into #${id}`,
      detail,
    },
  ]);
  await addTimelineEntries(tx, id, [
    {
      at: now,
      actor: request.actor,
      kind: 'split',
      message: `${message} split from #${request.incidentId}`,
      detail,
    },
  ]);
  return id;
}

async function insertSplit(
  tx: Db,
  request: SplitRequest,
  source: { status: unknown; title: unknown },
  moving: readonly MovedEvent[],
  now: string,
): Promise<number> {
  const severity = moving
    .map((e) => e.criticality)
    .reduce((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a));
  const open = ['new', 'investigating', 'identified'].includes(String(source.status));
  return insertNewObject(tx, 'incidents', now, {
    title: `Split from #${request.incidentId}: ${String(source.title)}`.slice(0, 255),
    description: `Events ${request.eventIds.join(', ')} moved out of #${request.incidentId}.`,
    status: open ? source.status : 'new',
    severity,
    detected_at: now,
    reporter: request.actor,
    commander: '',
    responders: '[]',
    auto_created: 0,
    title_auto: 0,
    last_event_at: now,
  });
}

async function linkScopes(tx: Db, topology: TopologyIndex, id: number, events: MovedEvent[]) {
  const services = new Set<number>();
  const devices = new Set<number>();
  const vms = new Set<number>();
  for (const event of events) {
    if (event.target === null || !topology.has(event.target.type, event.target.id)) continue;
    const scope = eventScope(topology, event.target);
    scope.services.forEach((s) => services.add(s));
    scope.devices.forEach((d) => devices.add(d));
    scope.vms.forEach((v) => vms.add(v));
  }
  await insertLinks(tx, 'incident_services', 'technical_service_id', id, [...services]);
  await insertLinks(tx, 'incident_devices', 'device_id', id, [...devices]);
  await insertLinks(tx, 'incident_virtual_machines', 'virtual_machine_id', id, [...vms]);
}

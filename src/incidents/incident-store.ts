import type { Clock } from '../clock.js';
import { SEVERITIES, type Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';
import type { EventScope } from '../topology/event-scope.js';
import type { DependencyView } from '../topology/topology-index.js';
import type { IncidentState } from './incident-index.js';
import { OPEN_INCIDENT_STATUSES } from './incident-spec.js';
import { incidentTitle, rootCauses } from './root-cause.js';
import { AUTOMATION_ACTOR, addTimelineEntries, type NewTimelineEntry } from './timeline.js';

/** The event an incident decision is about. */
export interface DecidedEvent {
  readonly id: number;
  readonly message: string;
  readonly criticality: Severity;
  /** Event time, ISO 8601. */
  readonly time: string;
  readonly scope: EventScope;
}

const LINKS = [
  ['incident_services', 'technical_service_id', 'services'],
  ['incident_devices', 'device_id', 'devices'],
  ['incident_virtual_machines', 'virtual_machine_id', 'vms'],
] as const;

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const ms = (iso: unknown) => (iso === null || iso === undefined ? null : Date.parse(String(iso)));

async function insertLinks(tx: Db, table: string, column: string, id: number, ids: number[]) {
  if (ids.length === 0) return;
  await tx
    .insertInto(table)
    .values(ids.map((other) => ({ incident_id: id, [column]: other })))
    .execute();
}

/** Writes of the incident automation: open, join, reopen, resolve; each with its timeline. */
export class IncidentStore {
  constructor(
    private readonly clock: Clock,
    private readonly graph: () => DependencyView,
  ) {}

  /** Open and monitoring incidents with their services, devices and VMs. */
  async loadActive(ex: Db): Promise<IncidentState[]> {
    const rows = await ex
      .selectFrom('incidents')
      .selectAll()
      .where('status', 'in', [...OPEN_INCIDENT_STATUSES, 'monitoring'])
      .execute();
    const states = new Map<number, IncidentState>();
    for (const row of rows) states.set(Number(row.id), this.stateOf(row));
    if (states.size === 0) return [];

    const ids = [...states.keys()];
    for (const [table, column, key] of [
      ...LINKS,
      ['incident_root_causes', 'technical_service_id', 'roots'] as const,
    ]) {
      const links = await ex
        .selectFrom(table)
        .select(['incident_id', `${column} as other`])
        .where('incident_id', 'in', ids)
        .execute();
      for (const link of links) {
        const state = states.get(Number(link.incident_id))!;
        if (key === 'roots') state.rootCauses.push(Number(link.other));
        else state[key].add(Number(link.other));
      }
    }
    return [...states.values()];
  }

  private stateOf(row: Record<string, unknown>): IncidentState {
    return {
      id: Number(row.id),
      status: String(row.status),
      severity: row.severity as Severity,
      services: new Set(),
      devices: new Set(),
      vms: new Set(),
      lastEventAt: ms(row.last_event_at) ?? ms(row.created) ?? 0,
      resolvedAt: ms(row.resolved_at),
      title: String(row.title),
      titleAuto: row.title_auto === true || row.title_auto === 1,
      statusBeforeResolve: (row.status_before_resolve as string | null) ?? null,
      rootCauses: [],
    };
  }

  /** Opens an incident for an event that joined none. */
  async open(tx: Db, event: DecidedEvent): Promise<IncidentState> {
    const now = this.clock.now().toISOString();
    const roots = rootCauses(event.scope.services, this.graph());
    const title = incidentTitle(roots, this.graph(), event.message);
    const row = await tx
      .insertInto('incidents')
      .values({
        title,
        description: `Auto-generated incident from event: ${event.message}`,
        status: 'new',
        severity: event.criticality,
        detected_at: event.time,
        resolved_at: null,
        reporter: AUTOMATION_ACTOR,
        commander: '',
        responders: '[]',
        auto_created: 1,
        title_auto: 1,
        last_event_at: event.time,
        created: now,
        last_updated: now,
        tags: '[]',
        custom_fields: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);

    await insertLinks(tx, 'incident_services', 'technical_service_id', id, [
      ...event.scope.services,
    ]);
    await insertLinks(tx, 'incident_devices', 'device_id', id, [...event.scope.devices]);
    await insertLinks(tx, 'incident_virtual_machines', 'virtual_machine_id', id, [
      ...event.scope.vms,
    ]);
    await insertLinks(tx, 'incident_events', 'event_id', id, [event.id]);
    await insertLinks(tx, 'incident_root_causes', 'technical_service_id', id, roots);
    await addTimelineEntries(tx, id, [
      {
        at: now,
        actor: AUTOMATION_ACTOR,
        kind: 'opened',
        message: `Opened for event ${event.id}: ${event.message}`,
        detail: { event_id: event.id, root_cause_service_ids: roots },
      },
    ]);
    return {
      id,
      status: 'new',
      severity: event.criticality,
      services: new Set(event.scope.services),
      devices: new Set(event.scope.devices),
      vms: new Set(event.scope.vms),
      lastEventAt: Date.parse(event.time),
      resolvedAt: null,
      title,
      titleAuto: true,
      statusBeforeResolve: null,
      rootCauses: roots,
    };
  }

  /** Adds the event, unions its services, devices and VMs, raises severity; follows roots. */
  async join(tx: Db, state: IncidentState, event: DecidedEvent): Promise<void> {
    const now = this.clock.now().toISOString();
    const entries: NewTimelineEntry[] = [];
    const entry = (kind: NewTimelineEntry['kind'], message: string, detail = {}) =>
      entries.push({ at: now, actor: AUTOMATION_ACTOR, kind, message, detail });

    // A re-fired alert that reopens its own incident is already linked to it.
    const linked = await tx
      .insertInto('incident_events')
      .values({ incident_id: state.id, event_id: event.id })
      .onConflict((oc) => oc.columns(['incident_id', 'event_id']).doNothing())
      .executeTakeFirst();
    if (Number(linked.numInsertedOrUpdatedRows ?? 0) > 0) {
      entry('event_joined', `Event ${event.id} joined: ${event.message}`, { event_id: event.id });
    }
    const added = await this.unionScope(tx, state, event.scope);
    if (added.length > 0) {
      const names = added.map((id) => this.graph().service(id)?.name ?? `#${id}`);
      entry('services_added', `Services added: ${names.join(', ')}`, { service_ids: added });
    }

    const changes: Record<string, unknown> = { last_updated: now };
    if (rank(event.criticality) > rank(state.severity)) {
      entry('severity_raised', `Severity raised from ${state.severity} to ${event.criticality}`);
      state.severity = event.criticality;
      changes.severity = event.criticality;
    }
    const eventTime = Date.parse(event.time);
    if (eventTime > state.lastEventAt) {
      state.lastEventAt = eventTime;
      changes.last_event_at = event.time;
    }
    if (added.length > 0) await this.followRootCauses(tx, state, event.message, changes);

    await tx.updateTable('incidents').set(changes).where('id', '=', state.id).execute();
    await addTimelineEntries(tx, state.id, entries);
  }

  private async unionScope(tx: Db, state: IncidentState, scope: EventScope): Promise<number[]> {
    const fresh = (ids: readonly number[], have: Set<number>) => ids.filter((i) => !have.has(i));
    const services = fresh(scope.services, state.services);
    const devices = fresh(scope.devices, state.devices);
    const vms = fresh(scope.vms, state.vms);
    await insertLinks(tx, 'incident_services', 'technical_service_id', state.id, services);
    await insertLinks(tx, 'incident_devices', 'device_id', state.id, devices);
    await insertLinks(tx, 'incident_virtual_machines', 'virtual_machine_id', state.id, vms);
    services.forEach((s) => state.services.add(s));
    devices.forEach((d) => state.devices.add(d));
    vms.forEach((v) => state.vms.add(v));
    return services;
  }

  private async followRootCauses(
    tx: Db,
    state: IncidentState,
    message: string,
    changes: Record<string, unknown>,
  ): Promise<void> {
    const roots = rootCauses(state.services, this.graph());
    if (roots.join() === state.rootCauses.join()) return;
    state.rootCauses = roots;
    await tx.deleteFrom('incident_root_causes').where('incident_id', '=', state.id).execute();
    await insertLinks(tx, 'incident_root_causes', 'technical_service_id', state.id, roots);
    if (state.titleAuto) {
      state.title = incidentTitle(roots, this.graph(), message);
      changes.title = state.title;
    }
  }

  /** Brings a monitoring incident back to the status it had before it was resolved. */
  async reopen(tx: Db, state: IncidentState, eventId: number): Promise<void> {
    const now = this.clock.now().toISOString();
    const status = state.statusBeforeResolve ?? 'new';
    await tx
      .updateTable('incidents')
      .set({ status, resolved_at: null, status_before_resolve: null, last_updated: now })
      .where('id', '=', state.id)
      .execute();
    await addTimelineEntries(tx, state.id, [
      {
        at: now,
        actor: AUTOMATION_ACTOR,
        kind: 'reopened',
        message: `Reopened by event ${eventId}; status back to ${status}`,
        detail: { event_id: eventId, status },
      },
    ]);
    state.status = status;
    state.resolvedAt = null;
    state.statusBeforeResolve = null;
  }

  /** Open incidents holding the event whose events are now all ok. */
  async resolvableIncidents(tx: Db, eventId: number): Promise<number[]> {
    const rows = await tx
      .selectFrom('incident_events as ie')
      .innerJoin('incidents as i', 'i.id', 'ie.incident_id')
      .select('i.id')
      .where('ie.event_id', '=', eventId)
      .where('i.status', 'in', [...OPEN_INCIDENT_STATUSES])
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('incident_events as other')
              .innerJoin('events as e', 'e.id', 'other.event_id')
              .select('e.id')
              .whereRef('other.incident_id', '=', 'i.id')
              .where('e.status', '<>', 'ok'),
          ),
        ),
      )
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Moves an incident to monitoring: all its alerts cleared (the plugin's rule). */
  async autoResolve(tx: Db, state: IncidentState, time: string, eventId: number): Promise<void> {
    const now = this.clock.now().toISOString();
    await tx
      .updateTable('incidents')
      .set({
        status: 'monitoring',
        resolved_at: time,
        status_before_resolve: state.status,
        last_updated: now,
      })
      .where('id', '=', state.id)
      .execute();
    await addTimelineEntries(tx, state.id, [
      {
        at: now,
        actor: AUTOMATION_ACTOR,
        kind: 'auto_resolved',
        message: `All events cleared (last: event ${eventId}); monitoring`,
        detail: { event_id: eventId, previous_status: state.status },
      },
    ]);
    state.statusBeforeResolve = state.status;
    state.status = 'monitoring';
    state.resolvedAt = Date.parse(time);
  }
}

import type { Clock } from '../clock.js';
import type { Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';
import { deferUpdateById, deferWrite, updateById } from '../store/prepared-query.js';
import { LINK_EVENT, insertLinks, insertRootCauses, insertServices } from './incident-links.js';
import type { EventScope } from '../topology/event-scope.js';
import type { DependencyView } from '../topology/topology-index.js';
import type { IncidentState } from './incident-index.js';
import { OPEN_INCIDENT_STATUSES } from './incident-spec.js';
import { loadActiveIncidents } from './active-incidents.js';
import type { RankedRoots } from '../correlate/hypothesis.js';
import { reformIncident } from './incident-rebuild.js';
import { groupsJson, insertIncident } from './incident-rows.js';
import { incidentTitle } from './root-cause.js';
import { severityRaise } from './severity-raise.js';
import { AUTOMATION_ACTOR, addTimelineEntries, type NewTimelineEntry } from './timeline.js';

/** Incidents emptied for re-correlation, each on offer to the events it held. */
export interface Vacancies {
  /** The emptied incident `eventId` was taken from, unless already re-formed. */
  take(eventId: number): number | null;
}

/** The event an incident decision is about. */
export interface DecidedEvent {
  readonly id: number;
  readonly message: string;
  readonly criticality: Severity;
  /** Event time, ISO 8601. */
  readonly time: string;
  readonly scope: EventScope;
  /** Stored by this very decision: linked to no incident yet. */
  readonly fresh?: boolean;
}

export type { RankedRoots } from '../correlate/hypothesis.js';

/** What a ranker sees of an incident. */
export interface RankedIncident {
  /** Every affected service. */
  readonly services: ReadonlySet<number>;
  /** Those of `services` listed only through a VM's cluster. */
  readonly context: ReadonlySet<number>;
  /** Infrastructure groups (hosts of several services) the incident's events showed. */
  readonly groups: ReadonlyArray<ReadonlySet<number>>;
}

/**
 * Root causes of an incident, best first. The correlation mode decides whether context services
 * count as evidence: the ranker is chosen once, where the application is assembled.
 */
export type RootCauseRanker = (incident: RankedIncident) => RankedRoots;

/** Writes of the incident automation: open, join, reopen, resolve; each with its timeline. */
export class IncidentStore {
  private vacancies: Vacancies | null = null;

  constructor(
    readonly clock: Clock,
    readonly graph: () => DependencyView,
    private readonly rankRoots: RootCauseRanker,
  ) {}

  /** Open and monitoring incidents with their links (see loadActiveIncidents). */
  loadActive(ex: Db): Promise<IncidentState[]> {
    return loadActiveIncidents(ex);
  }

  /**
   * Runs `work` with incidents emptied for re-correlation on offer: an event that would open a
   * new incident re-forms the one it was taken from instead, so that regrouping keeps incident
   * ids, status and people where the grouping stays.
   */
  async withVacancies<T>(vacancies: Vacancies, work: () => Promise<T>): Promise<T> {
    this.vacancies = vacancies;
    try {
      return await work();
    } finally {
      this.vacancies = null;
    }
  }

  /** Opens an incident for an event that joined none. */
  async open(tx: Db, event: DecidedEvent): Promise<IncidentState> {
    const now = this.clock.now().toISOString();
    const vacant = this.vacancies?.take(event.id) ?? null;
    if (vacant !== null) return reformIncident(this, tx, vacant, event, now);
    const groups = event.scope.group === null ? [] : [new Set(event.scope.group)];
    const services = new Set(event.scope.services);
    const context = new Set(event.scope.context);
    const ranked = this.rankRoots({ services, context, groups });
    const roots = ranked.roots;
    const title = incidentTitle(roots.slice(0, ranked.titled), this.graph(), event.message);
    const id = await insertIncident(tx, { event, title, groups, now });

    await insertServices(tx, id, event.scope.services, event.scope.context);
    await insertLinks(tx, 'incident_devices', 'device_id', id, [...event.scope.devices]);
    await insertLinks(tx, 'incident_virtual_machines', 'virtual_machine_id', id, [
      ...event.scope.vms,
    ]);
    await insertLinks(tx, 'incident_events', 'event_id', id, [event.id]);
    await insertRootCauses(tx, id, roots);
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
      services,
      context,
      groups,
      devices: new Set(event.scope.devices),
      vms: new Set(event.scope.vms),
      lastEventAt: Date.parse(event.time),
      resolvedAt: null,
      title,
      titleAuto: true,
      autoCreated: true,
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

    if (await this.link(tx, state.id, event)) {
      entry('event_joined', `Event ${event.id} joined: ${event.message}`, { event_id: event.id });
    }
    const added = await this.unionScope(tx, state, event.scope);
    if (event.scope.group !== null) await this.addGroups(tx, state, [new Set(event.scope.group)]);
    if (added.length > 0) {
      const names = added.map((id) => this.graph().service(id)?.name ?? `#${id}`);
      entry('services_added', `Services added: ${names.join(', ')}`, { service_ids: added });
    }

    const changes: Record<string, unknown> = { last_updated: now };
    const raised = severityRaise(state, event.criticality, event.id, now);
    if (raised !== null) {
      entries.push(raised);
      changes.severity = event.criticality;
    }
    const eventTime = Date.parse(event.time);
    if (eventTime > state.lastEventAt) {
      state.lastEventAt = eventTime;
      changes.last_event_at = event.time;
    }
    if (added.length > 0 || event.scope.group !== null) {
      await this.followRootCauses(tx, state, event.message, changes);
    }

    await deferUpdateById(tx, 'incidents', state.id, changes);
    await addTimelineEntries(tx, state.id, entries);
  }

  /**
   * Links the event; false when it was linked already (a re-fired alert that reopens its own
   * incident). An event stored by this decision is linked to nothing yet.
   */
  private async link(tx: Db, incidentId: number, event: DecidedEvent): Promise<boolean> {
    if (event.fresh === true) {
      await LINK_EVENT.defer(tx, [incidentId, event.id]);
      return true;
    }
    const linked = await LINK_EVENT.execute(tx, [incidentId, event.id]);
    return Number(linked.numAffectedRows ?? 0) > 0;
  }

  /**
   * A held alert repeated more severe: raises the incident's severity as a join would (never
   * lowers it). Returns whether it rose.
   */
  async raiseSeverity(
    tx: Db,
    state: IncidentState,
    eventId: number,
    criticality: Severity,
  ): Promise<boolean> {
    const now = this.clock.now().toISOString();
    const raised = severityRaise(state, criticality, eventId, now);
    if (raised === null) return false;
    await updateById(tx, 'incidents', state.id, { severity: criticality, last_updated: now });
    await addTimelineEntries(tx, state.id, [raised]);
    return true;
  }

  /** Adds services, devices and VMs to the incident; returns the services that are new. */
  async unionScope(tx: Db, state: IncidentState, scope: EventScope): Promise<number[]> {
    const fresh = (ids: readonly number[], have: Set<number>) => ids.filter((i) => !have.has(i));
    const services = fresh(scope.services, state.services);
    const devices = fresh(scope.devices, state.devices);
    const vms = fresh(scope.vms, state.vms);
    await insertServices(tx, state.id, services, scope.context);
    // A service listed so far only as context now shows failing itself.
    const confirmed = scope.services.filter(
      (s) => state.context.has(s) && !scope.context.includes(s),
    );
    if (confirmed.length > 0) {
      await deferWrite(
        tx,
        tx
          .updateTable('incident_services')
          .set({ context: 0 })
          .where('incident_id', '=', state.id)
          .where('technical_service_id', 'in', confirmed),
      );
      confirmed.forEach((s) => state.context.delete(s));
    }
    scope.context.filter((s) => services.includes(s)).forEach((s) => state.context.add(s));
    await insertLinks(tx, 'incident_devices', 'device_id', state.id, devices);
    await insertLinks(tx, 'incident_virtual_machines', 'virtual_machine_id', state.id, vms);
    services.forEach((s) => state.services.add(s));
    devices.forEach((d) => state.devices.add(d));
    vms.forEach((v) => state.vms.add(v));
    return [...services, ...confirmed];
  }

  /** Records infrastructure groups (hosts of several services) the incident's events showed. */
  async addGroups(
    tx: Db,
    state: IncidentState,
    groups: ReadonlyArray<ReadonlySet<number>>,
  ): Promise<void> {
    const key = (g: ReadonlySet<number>) => [...g].sort((a, b) => a - b).join();
    const known = new Set(state.groups.map(key));
    const fresh = groups.filter((g) => !known.has(key(g)));
    if (fresh.length === 0) return;
    state.groups.push(...fresh.map((g) => new Set(g)));
    await deferWrite(
      tx,
      tx
        .updateTable('incidents')
        .set({ infra_groups: groupsJson(state.groups) })
        .where('id', '=', state.id),
    );
  }

  /** Re-ranks the root causes now and stores them (and an automatic title). */
  async refreshRootCauses(tx: Db, state: IncidentState, message: string): Promise<void> {
    const changes: Record<string, unknown> = {};
    await this.followRootCauses(tx, state, message, changes);
    if (Object.keys(changes).length > 0) {
      await tx.updateTable('incidents').set(changes).where('id', '=', state.id).execute();
    }
  }

  /** Re-ranks the root causes after the services changed; an automatic title follows them. */
  async followRootCauses(
    tx: Db,
    state: IncidentState,
    message: string,
    changes: Record<string, unknown>,
  ): Promise<void> {
    const ranked = this.rankRoots(state);
    const roots = ranked.roots;
    if (roots.join() === state.rootCauses.join()) return;
    state.rootCauses = roots;
    await deferWrite(tx, tx.deleteFrom('incident_root_causes').where('incident_id', '=', state.id));
    await insertRootCauses(tx, state.id, roots);
    if (state.titleAuto) {
      state.title = incidentTitle(roots.slice(0, ranked.titled), this.graph(), message);
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

import type { Clock } from '../clock.js';
import type { AutomationSettings } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/database.js';
import { toStoredTime } from '../store/row-codec.js';
import {
  activeMaintenance,
  eventScope,
  type EventScope,
  type TargetRef,
} from '../topology/event-scope.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import type { AutomationIndexes } from '../incidents/automation-indexes.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import { rank } from '../incidents/severity-raise.js';
import { Correlator } from './correlator.js';
import type { CorrelationRecord, EventInput, EventOutcome, TargetInput } from './event-input.js';
import { changedEventValues, insertEvent, type EventValues } from './event-insert.js';
import {
  findEventByAlert,
  noteAlertStored,
  findEventById,
  openIncidentsOf,
  readEventForProcessing,
  saveCorrelation,
  sourceIdByName,
  type ProcessableEvent,
  type StoredEvent,
} from './event-rows.js';

/** A unit of work: an alert to record (dedup by source + dedup_id), or a stored event to edit. */
export interface EventJob {
  readonly input: EventInput;
  /** Set when a person edits a stored event through the API. */
  readonly edit?: {
    readonly eventId: number;
    readonly createdAt?: string;
    readonly lastSeenAt?: string;
  };
}

interface ResolvedTarget {
  readonly ref: TargetRef | null;
  readonly reason: string | null;
}

export interface EventProcessorDeps {
  readonly clock: Clock;
  readonly settings: AutomationSettings;
  readonly indexes: AutomationIndexes;
  readonly incidents: IncidentStore;
  readonly logger: Logger;
}

function resolveTarget(
  topology: TopologyIndex,
  given: TargetInput | null,
  stored: StoredEvent | null,
): ResolvedTarget {
  if (given === null) {
    if (stored?.objectType == null || stored.objectId === null) {
      return { ref: null, reason: 'no target' };
    }
    given = { type: stored.objectType as TargetRef['type'], id: stored.objectId };
  }
  if ('id' in given) {
    return topology.has(given.type, given.id)
      ? { ref: { type: given.type, id: given.id }, reason: null }
      : { ref: null, reason: `no ${given.type.replace('_', ' ')} with id ${given.id}` };
  }
  const match = topology.findByName(given.type, given.identifier);
  if (match.found) return { ref: { type: given.type, id: match.id }, reason: null };
  // A repeat that names what is not (yet) known keeps the target the alert was found on.
  const kept = stored === null ? null : storedTarget(topology, stored);
  return kept ?? { ref: null, reason: match.reason };
}

/** The stored event's target, while it still exists. */
function storedTarget(topology: TopologyIndex, stored: StoredEvent): ResolvedTarget | null {
  if (stored.objectType == null || stored.objectId === null) return null;
  const type = stored.objectType as TargetRef['type'];
  return topology.has(type, stored.objectId)
    ? { ref: { type, id: stored.objectId }, reason: null }
    : null;
}

/**
 * The single entry point's work for one event, inside the caller's transaction: dedup, target
 * resolution, maintenance, then correlation or auto-resolution (the plugin's signals).
 */
export class EventProcessor {
  private readonly correlator: Correlator;

  constructor(private readonly deps: EventProcessorDeps) {
    this.correlator = new Correlator(deps);
  }

  async process(tx: Db, job: EventJob): Promise<EventOutcome> {
    const { input } = job;
    const now = this.deps.clock.now().toISOString();
    const time = input.time ? toStoredTime(input.time) : now;
    const topology = this.deps.indexes.topology;

    const sourceId = await this.sourceId(tx, input, now);
    const stored =
      job.edit !== undefined
        ? await findEventById(tx, job.edit.eventId)
        : await findEventByAlert(tx, sourceId ?? 0, input.dedupId);
    // A repeated alert that names no target keeps the one stored; an edit says what it wants.
    const target = resolveTarget(topology, input.target, job.edit === undefined ? stored : null);
    const scope = target.ref === null ? null : eventScope(topology, target.ref);
    const maintenance =
      input.status === 'triggered' && target.ref !== null && scope !== null
        ? activeMaintenance(topology, target.ref, scope, Date.parse(time))
        : null;
    const status = maintenance === null ? input.status : 'suppressed';

    const values: EventValues = {
      message: input.message,
      dedup_id: input.dedupId,
      status,
      // An ok clears the alert and says nothing of how bad it was: the stored criticality stays.
      criticality:
        input.status === 'ok' && stored !== null ? stored.criticality : input.criticality,
      event_source_id: sourceId,
      source_key: sourceId ?? 0,
      object_type: target.ref?.type ?? null,
      object_id: target.ref?.id ?? null,
      is_valid: target.ref === null ? 0 : 1,
      invalid_reason: target.reason,
      maintenance_id: maintenance?.id ?? null,
      last_updated: now,
      raw: input.raw === undefined ? undefined : JSON.stringify(input.raw),
      tags: input.tags === undefined ? undefined : JSON.stringify(input.tags),
      custom_fields:
        input.customFields === undefined ? undefined : JSON.stringify(input.customFields),
    };
    const eventId = await this.save(tx, job, stored, values, time, now);

    const context = { eventId, input, time, now, scope, stored, status, maintenance, target };
    return this.decide(tx, context, stored === null);
  }

  /**
   * Manual processing of a stored event (process-event, process_incidents): a triggered event
   * in no open incident is correlated now, at its own time, even while automatic processing is
   * switched off. A regrouping joins it to automatically created incidents only. Returns null
   * when there is no such event.
   */
  async processStored(
    tx: Db,
    eventId: number,
    options: { regroup?: boolean } = {},
  ): Promise<StoredOutcome | null> {
    const event = await readEventForProcessing(tx, eventId);
    if (event === null) return null;
    const open = await openIncidentsOf(tx, eventId);
    if (open.length > 0) {
      return {
        event,
        record: null,
        incidentId: open[0]!,
        reason: `already in incident ${open[0]}`,
      };
    }
    if (event.status !== 'triggered') {
      return { event, record: null, incidentId: null, reason: `status ${event.status}` };
    }
    const topology = this.deps.indexes.topology;
    const stored: StoredEvent = { ...event, correlation: null };
    const target = resolveTarget(topology, null, stored);
    const context: DecisionContext = {
      eventId,
      input: {
        source: null,
        dedupId: event.dedupId,
        message: event.message,
        status: 'triggered',
        criticality: event.criticality,
        target: null,
      },
      time: event.createdAt,
      now: this.deps.clock.now().toISOString(),
      scope: target.ref === null ? null : eventScope(topology, target.ref),
      stored,
      status: 'triggered',
      maintenance: null,
      target,
    };
    const record = await this.correlator.correlate(tx, context, {
      force: true,
      automaticOnly: options.regroup === true,
    });
    await saveCorrelation(tx, eventId, record);
    return { event, record, incidentId: record.incident_id, reason: record.reason };
  }

  private async sourceId(tx: Db, input: EventInput, now: string): Promise<number | null> {
    if (input.source === null) return null;
    if ('id' in input.source) return input.source.id;
    return sourceIdByName(tx, input.source.name, now);
  }

  private async save(
    tx: Db,
    job: EventJob,
    stored: StoredEvent | null,
    values: EventValues,
    time: string,
    now: string,
  ): Promise<number> {
    noteAlertStored(tx, job.input.dedupId);
    if (stored === null) return insertEvent(tx, values, time, now);
    const edit = job.edit;
    await tx
      .updateTable('events')
      .set((eb) => ({
        ...changedEventValues(values),
        ...(edit === undefined
          ? { last_seen_at: time, occurrences: eb('occurrences', '+', 1) }
          : {
              ...(edit.createdAt === undefined ? {} : { created_at: toStoredTime(edit.createdAt) }),
              ...(edit.lastSeenAt === undefined
                ? {}
                : { last_seen_at: toStoredTime(edit.lastSeenAt) }),
            }),
      }))
      .where('id', '=', stored.id)
      .execute();
    return stored.id;
  }

  private async decide(tx: Db, c: DecisionContext, created: boolean): Promise<EventOutcome> {
    const previous = c.stored?.status ?? null;
    // A repeat suppressed by maintenance is still firing: suppression never blocks resolution.
    const firing = previous === 'triggered' || previous === 'suppressed';
    if (firing && c.status === 'ok') {
      await this.correlator.autoResolve(tx, c.eventId, c.time);
    }

    let record: CorrelationRecord | null = null;
    const open = created ? [] : await openIncidentsOf(tx, c.eventId);
    if (c.status === 'triggered' && open.length === 0) {
      record = await this.correlator.correlate(tx, c);
    } else if (c.status === 'triggered' && escalated(c)) {
      await this.raiseSeverity(tx, open, c);
    } else if (c.status === 'suppressed' && c.maintenance !== null) {
      record = this.correlator.skipped(
        c.eventId,
        `suppressed by maintenance ${c.maintenance.id}`,
        c.now,
      );
    } else if (created && c.status !== 'triggered') {
      record = this.correlator.skipped(c.eventId, `status ${c.status}`, c.now);
    }
    if (record !== null) await saveCorrelation(tx, c.eventId, record);

    const incidentId = record?.incident_id ?? open[0] ?? null;
    return {
      eventId: c.eventId,
      created,
      incidentId,
      correlation: record,
      warning: c.target.ref === null ? `target not found: ${c.target.reason}` : null,
    };
  }

  /** Raises each open incident holding the event to its new criticality (never lowers). */
  private async raiseSeverity(tx: Db, open: readonly number[], c: DecisionContext) {
    const { indexes, incidents, logger } = this.deps;
    for (const id of open) {
      const state = indexes.incidents.get(id);
      if (state === undefined) continue;
      if (!(await incidents.raiseSeverity(tx, state, c.eventId, c.input.criticality))) continue;
      indexes.incidents.put(state);
      indexes.markIncidentsChanged();
      logger.info(
        { incident_id: id, event_id: c.eventId, incident_severity: state.severity },
        'incident severity raised',
      );
    }
  }
}

/** A repeat (or an edit) of a stored event that made it more severe. */
function escalated(c: DecisionContext): boolean {
  return c.stored !== null && rank(c.input.criticality) > rank(c.stored.criticality);
}

/** What manual processing did with a stored event. */
export interface StoredOutcome {
  readonly event: ProcessableEvent;
  /** The decision made now; null when none was due (not firing, or already in an incident). */
  readonly record: CorrelationRecord | null;
  /** The open incident holding the event afterwards, if any. */
  readonly incidentId: number | null;
  /** Why no incident action was taken, when none was. */
  readonly reason: string | null;
}

/** Everything known about an event once it is stored, for the decisions that follow. */
export interface DecisionContext {
  readonly eventId: number;
  readonly input: EventInput;
  readonly time: string;
  readonly now: string;
  readonly scope: EventScope | null;
  readonly stored: StoredEvent | null;
  readonly status: string;
  readonly maintenance: { readonly id: number } | null;
  readonly target: ResolvedTarget;
}

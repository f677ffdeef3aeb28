import { NotFoundError, ValidationError } from '../app-error.js';
import type { Clock } from '../clock.js';
import type { AutomationSettings } from '../config/settings.js';
import type { AutomationIndexes } from '../incidents/automation-indexes.js';
import {
  automationStatus,
  correlationAnalysis,
  type CorrelationAnalysis,
  type StatusReport,
} from '../incidents/automation-report.js';
import { applyCleanup, planCleanup, type CleanupItem } from '../incidents/cleanup.js';
import type { IncidentRemovalListener } from '../incidents/incident-changes.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import {
  detachEvents,
  eventsOfAutoIncidents,
  groupingOf,
  incidentOrigins,
  oldestFirst,
  removeIncidents,
  type Group,
  type RegroupEvent,
} from '../incidents/regroup.js';
import type { Logger } from '../log/logger.js';
import type { Database, Db } from '../store/database.js';
import type { CorrelationRecord } from './event-input.js';
import type { EventPipeline } from './event-pipeline.js';
import type { EventProcessor, StoredOutcome } from './event-processor.js';
import { previewing, withinDecisionScope } from './decision-scope.js';
import {
  findUnprocessed,
  listTriggered,
  listUnprocessed,
  type UnprocessedBatch,
  type UnprocessedEvent,
} from './unprocessed-events.js';

const HOUR_MS = 3_600_000;

/** Events queued to the pipeline at once by a batch: one or a few group commits each. */
const BATCH_WINDOW = 512;

export type ProcessAction = 'created' | 'joined' | 'reopened' | 'none';

/** What processing one stored event did (or, in a dry run, would do). */
export interface ProcessEventResult {
  readonly success: true;
  readonly dry_run: boolean;
  readonly event_id: number;
  readonly event_message: string;
  readonly message: string;
  readonly action: ProcessAction;
  readonly incident_id: number | null;
  readonly incident_title: string | null;
  /** Why no incident action was taken, when none was. */
  readonly reason: string | null;
  readonly correlation: CorrelationRecord | null;
}

/** Counts of a batch run over unprocessed (or reprocessed) events. */
export interface BatchReport {
  readonly success: boolean;
  readonly dry_run: boolean;
  readonly message: string;
  readonly time_window_hours: number;
  readonly limit: number | null;
  readonly unprocessed_events_found: number;
  readonly events_processed: number;
  readonly created: number;
  readonly joined: number;
  readonly reopened: number;
  readonly no_action: number;
  readonly errors: number;
}

/** What a regrouping did (or would do). */
export interface RegroupReport {
  readonly success: true;
  readonly dry_run: boolean;
  readonly message: string;
  readonly time_window_hours: number;
  readonly total_events_reprocessed: number;
  readonly events_successfully_processed: number;
  /** Events whose incident is another one afterwards. */
  readonly events_moved: number;
  readonly incidents_before: number;
  readonly incidents_after: number;
  /** Automatically created incidents left empty, removed. */
  readonly removed_incidents: number[];
  readonly before: Group[];
  readonly after: Group[];
}

export interface CleanupReport {
  readonly dry_run: boolean;
  readonly time_window_hours: number;
  /** Incidents that ended before this time are cleaned up. */
  readonly cut_off: string;
  readonly resolved: CleanupItem[];
  readonly closed: CleanupItem[];
  readonly purged_incidents: CleanupItem[];
  readonly purged_events: number;
}

export interface IncidentAutomationDeps {
  readonly database: Database;
  readonly pipeline: EventPipeline;
  readonly processor: EventProcessor;
  readonly indexes: AutomationIndexes;
  readonly incidents: IncidentStore;
  readonly settings: AutomationSettings;
  /** Problems with the configuration, reported by status. */
  readonly issues: readonly string[];
  /** Told of the incidents a regrouping removes, before they go (notifications). */
  readonly removals?: IncidentRemovalListener;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Observes a batch: the events it takes (and how many the window holds), then each decided. */
export interface BatchHooks {
  found?(events: readonly UnprocessedEvent[], total: number): void;
  each?(event: UnprocessedEvent, result: ProcessEventResult | Error): void;
}

function actionOf(outcome: StoredOutcome): ProcessAction {
  const action = outcome.record?.action;
  return action === 'created' || action === 'joined' || action === 'reopened' ? action : 'none';
}

async function titleOf(tx: Db, id: number | null): Promise<string | null> {
  if (id === null) return null;
  const row = await tx.selectFrom('incidents').select('title').where('id', '=', id).execute();
  return row.length === 0 ? null : String(row[0]!.title);
}

/**
 * Manual control of the incident automation (the guide's incident-automation endpoints and
 * process_incidents command): process events that were missed, regroup recent ones, clean up
 * old incidents, and report. Everything runs through the event pipeline, serialised with the
 * live decisions of this process and of any other on the same database, and works while
 * automatic processing is switched off.
 */
export class IncidentAutomation {
  constructor(private readonly deps: IncidentAutomationDeps) {}

  private since(hours: number): string {
    return new Date(this.deps.clock.now().getTime() - hours * HOUR_MS).toISOString();
  }

  private async decide(tx: Db, eventId: number, dryRun: boolean): Promise<ProcessEventResult> {
    const outcome = await this.deps.processor.processStored(tx, eventId);
    if (outcome === null) throw new NotFoundError(`Event ${eventId} not found`);
    const action = actionOf(outcome);
    const incidentId = outcome.incidentId;
    const title = await titleOf(tx, incidentId);
    const processed = dryRun ? 'would be processed' : 'processed';
    const message =
      action === 'none'
        ? `Event ${eventId} ${processed} but no incident action taken: ${outcome.reason}`
        : `Event ${eventId} ${processed} successfully: ${action} incident ${incidentId}`;
    return {
      success: true,
      dry_run: dryRun,
      event_id: eventId,
      event_message: outcome.event.message,
      message,
      action,
      incident_id: incidentId,
      incident_title: title,
      reason: action === 'none' ? outcome.reason : null,
      correlation: outcome.record,
    };
  }

  /** Correlates one stored event now (a dry run reports what would happen and changes nothing). */
  processEvent(eventId: number, dryRun = false): Promise<ProcessEventResult> {
    const work = (tx: Db) => this.decide(tx, eventId, dryRun);
    return dryRun ? this.deps.pipeline.preview(previewing(work)) : this.deps.pipeline.run(work);
  }

  /**
   * Unprocessed events created in the last `hours`, oldest first (at most `limit`), and how
   * many there are in the window in all.
   */
  unprocessed(hours: number, limit?: number): Promise<UnprocessedBatch> {
    const filter = {
      since: this.since(hours),
      minimumSeverity: this.deps.settings.requireMinimumSeverity,
    };
    return findUnprocessed(this.deps.database.db, filter, limit);
  }

  /**
   * Correlates the unprocessed events of the last `hours`, oldest first (at most `limit`). Each
   * event is its own decision: one that fails is counted and logged, the others go on.
   */
  async processUnprocessed(
    options: { hours: number; limit?: number; dryRun?: boolean },
    hooks: BatchHooks = {},
  ): Promise<BatchReport> {
    const { events, total } = await this.unprocessed(options.hours, options.limit);
    hooks.found?.(events, total);
    const dryRun = options.dryRun === true;
    const results = dryRun
      ? await this.previewBatch(events, hooks)
      : await this.runBatch(events, hooks);
    return this.batchReport(total, results, options, dryRun);
  }

  /**
   * The firing events of the last `hours`; those in no incident are correlated again (the
   * guide's reprocess mode without --force-correlate). `found` counts them all.
   */
  async reprocess(
    options: { hours: number; dryRun?: boolean },
    hooks: BatchHooks = {},
  ): Promise<BatchReport> {
    const events = await listTriggered(this.deps.database.db, this.since(options.hours));
    const loose = events.filter((e) => !e.linked);
    hooks.found?.(loose, events.length);
    const dryRun = options.dryRun === true;
    const results = dryRun
      ? await this.previewBatch(loose, hooks)
      : await this.runBatch(loose, hooks);
    return this.batchReport(events.length, results, options, dryRun);
  }

  private async runBatch(
    events: readonly UnprocessedEvent[],
    hooks: BatchHooks,
  ): Promise<Array<ProcessEventResult | Error>> {
    const results: Array<ProcessEventResult | Error> = [];
    for (let i = 0; i < events.length; i += BATCH_WINDOW) {
      const window = events.slice(i, i + BATCH_WINDOW);
      const settled = await Promise.allSettled(
        window.map((event) => this.deps.pipeline.run((tx) => this.decide(tx, event.id, false))),
      );
      settled.forEach((s, j) => {
        const event = window[j]!;
        const result = s.status === 'fulfilled' ? s.value : toError(s.reason);
        if (result instanceof Error) {
          this.deps.logger.error({ event_id: event.id, err: result }, 'event processing failed');
        }
        hooks.each?.(event, result);
        results.push(result);
      });
    }
    return results;
  }

  /** Decides every event in one transaction that is then rolled back. */
  private previewBatch(
    events: readonly UnprocessedEvent[],
    hooks: BatchHooks,
  ): Promise<Array<ProcessEventResult | Error>> {
    return this.deps.pipeline.preview(
      previewing(async (tx: Db) => {
        const results: ProcessEventResult[] = [];
        for (const event of events) {
          const result = await this.decide(tx, event.id, true);
          hooks.each?.(event, result);
          results.push(result);
        }
        return results;
      }),
    );
  }

  private batchReport(
    found: number,
    results: ReadonlyArray<ProcessEventResult | Error>,
    options: { hours: number; limit?: number },
    dryRun: boolean,
  ): BatchReport {
    const decided = results.filter((r): r is ProcessEventResult => !(r instanceof Error));
    const counted = (action: ProcessAction) => decided.filter((r) => r.action === action).length;
    const errors = results.length - decided.length;
    const processed = decided.length;
    const verb = dryRun ? 'Would process' : 'Processed';
    return {
      success: errors === 0,
      dry_run: dryRun,
      message: `${verb} ${processed} of ${found} unprocessed events`,
      time_window_hours: options.hours,
      limit: options.limit ?? null,
      unprocessed_events_found: found,
      events_processed: processed,
      created: counted('created'),
      joined: counted('joined'),
      reopened: counted('reopened'),
      no_action: counted('none'),
      errors,
    };
  }

  /**
   * Regroups the firing events of the last `hours` held by automatically created open incidents
   * (only those of `incidentIds` when given; otherwise unprocessed events too) with the current
   * settings: takes them out, re-correlates them oldest first, and removes the incidents left
   * empty. An emptied incident is re-formed around its first event that opens an incident
   * again, so unchanged groups keep their incident. Incidents a person created, and their
   * events, are never touched.
   */
  async forceCorrelate(options: {
    hours: number;
    incidentIds?: readonly number[];
    dryRun?: boolean;
  }): Promise<RegroupReport> {
    const incidentIds = options.incidentIds ?? null;
    if (incidentIds !== null) await this.checkRegroupable(incidentIds);
    const dryRun = options.dryRun === true;
    const work = (tx: Db) => this.regroup(tx, options.hours, incidentIds, dryRun);
    const report = await (dryRun ? this.deps.pipeline.preview(work) : this.deps.pipeline.run(work));
    this.deps.logger.info(
      {
        dry_run: dryRun,
        events: report.total_events_reprocessed,
        events_moved: report.events_moved,
        incidents_before: report.incidents_before,
        incidents_after: report.incidents_after,
      },
      'incidents regrouped',
    );
    return report;
  }

  private async checkRegroupable(ids: readonly number[]): Promise<void> {
    const origins = await incidentOrigins(this.deps.database.db, ids);
    const problems: string[] = [];
    for (const id of ids) {
      const origin = origins.get(id);
      if (origin === undefined) problems.push(`Incident ${id} does not exist.`);
      else if (!origin.autoCreated) {
        problems.push(`Incident ${id} was created by a person; only automatic ones are regrouped.`);
      }
    }
    if (problems.length > 0) throw new ValidationError({ incident_ids: problems });
  }

  private async regroup(
    tx: Db,
    hours: number,
    incidentIds: readonly number[] | null,
    dryRun: boolean,
  ): Promise<RegroupReport> {
    const { incidents, indexes, processor, settings } = this.deps;
    const since = this.since(hours);
    const held = await eventsOfAutoIncidents(tx, since, incidentIds);
    const loose: RegroupEvent[] =
      incidentIds === null
        ? (
            await listUnprocessed(tx, { since, minimumSeverity: settings.requireMinimumSeverity })
          ).map((e) => ({ id: e.id, createdAt: e.createdAt, incidents: [] }))
        : [];
    const events = oldestFirst([...held, ...loose]);
    const ids = events.map((e) => e.id);
    const before = await groupingOf(tx, ids);
    const newestBefore = await newestIncidentId(tx);

    const emptied = await detachEvents(tx, incidents, indexes.topology, held);
    await indexes.reloadIncidents(tx);
    let decided = 0;
    const scope = { dryRun, reforming: emptied.ids };
    await withinDecisionScope(scope, () =>
      incidents.withVacancies(emptied, async () => {
        for (const event of events) {
          const outcome = await processor.processStored(tx, event.id, { regroup: true });
          if (outcome !== null && actionOf(outcome) !== 'none') decided += 1;
        }
      }),
    );
    const removed = emptied.leftEmpty();
    await this.deps.removals?.beforeRemove(tx, removed);
    await removeIncidents(tx, removed);
    await indexes.reloadIncidents(tx);

    const after = (await groupingOf(tx, ids)).map((g) =>
      g.incident_id !== null && g.incident_id > newestBefore ? { ...g, new: true } : g,
    );
    const counted = (groups: Group[]) => groups.filter((g) => g.incident_id !== null).length;
    return {
      success: true,
      dry_run: dryRun,
      message: dryRun
        ? 'Force correlation dry run: nothing was changed'
        : 'Force correlation completed',
      time_window_hours: hours,
      total_events_reprocessed: events.length,
      events_successfully_processed: decided,
      events_moved: movedEvents(before, after),
      incidents_before: counted(before),
      incidents_after: counted(after),
      removed_incidents: removed.sort((a, b) => a - b),
      before,
      after,
    };
  }

  /**
   * The guide's monthly clean-up: monitoring incidents whose alerts cleared more than `hours`
   * ago become resolved, incidents resolved that long ago become closed; with `purge`, the
   * incidents that old already closed when the run starts, and cleared events no incident in
   * play holds, are deleted. Each incident is counted once.
   */
  async cleanup(options: {
    hours: number;
    purge?: boolean;
    dryRun?: boolean;
  }): Promise<CleanupReport> {
    const cutOff = this.since(options.hours);
    const dryRun = options.dryRun === true;
    const work = async (tx: Db) => {
      const plan = await planCleanup(tx, cutOff, options.purge === true);
      const now = this.deps.clock.now().toISOString();
      const deleted = await applyCleanup(tx, plan, now);
      this.deps.indexes.requestIncidentReload();
      return { plan, deleted };
    };
    const { plan, deleted } = await (dryRun
      ? this.deps.pipeline.preview(work)
      : this.deps.pipeline.run(work));
    const report: CleanupReport = {
      dry_run: dryRun,
      time_window_hours: options.hours,
      cut_off: cutOff,
      resolved: plan.resolve,
      closed: plan.close,
      purged_incidents: plan.purgeIncidents,
      purged_events: deleted,
    };
    this.deps.logger.info(
      {
        dry_run: dryRun,
        resolved: report.resolved.length,
        closed: report.closed.length,
        purged_incidents: report.purged_incidents.length,
        purged_events: report.purged_events,
      },
      'incident cleanup',
    );
    return report;
  }

  status(): Promise<StatusReport> {
    const { database, settings, issues, clock } = this.deps;
    return automationStatus(database.db, settings, issues, clock.now());
  }

  analysis(hours: number): Promise<CorrelationAnalysis> {
    const { database, settings, clock } = this.deps;
    return correlationAnalysis(database.db, settings, hours, clock.now());
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

async function newestIncidentId(tx: Db): Promise<number> {
  const row = await tx
    .selectFrom('incidents')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id == null ? 0 : Number(row.id);
}

/** Events whose incident differs between two groupings. */
function movedEvents(before: readonly Group[], after: readonly Group[]): number {
  const where = (groups: readonly Group[]) => {
    const map = new Map<number, number | null>();
    for (const g of groups) for (const id of g.event_ids) map.set(id, g.incident_id);
    return map;
  };
  const was = where(before);
  let moved = 0;
  for (const [id, incident] of where(after)) if (was.get(id) !== incident) moved += 1;
  return moved;
}

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
import type { Logger } from '../log/logger.js';
import type { Database, Db } from '../store/database.js';
import { processBatch, type BatchHooks, type BatchReport } from './event-batch.js';
import { decideEvent, type ProcessEventResult } from './event-decision.js';
import type { EventPipeline } from './event-pipeline.js';
import type { EventProcessor } from './event-processor.js';
import { previewing } from './decision-scope.js';
import { checkRegroupable, forceCorrelation, type RegroupReport } from './force-correlation.js';
import { findUnprocessed, listTriggered, type UnprocessedBatch } from './unprocessed-events.js';

const HOUR_MS = 3_600_000;

/** What a clean-up did (or would do). */
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

/** What the incident automation works with: one options object, from the composition root. */
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

  /** Correlates one stored event now (a dry run reports what would happen and changes nothing). */
  processEvent(eventId: number, dryRun = false): Promise<ProcessEventResult> {
    const work = (tx: Db) => decideEvent(this.deps.processor, tx, eventId, dryRun);
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
    return processBatch(this.deps, { events, found: total }, options, hooks);
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
    return processBatch(this.deps, { events: loose, found: events.length }, options, hooks);
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
    if (incidentIds !== null) await checkRegroupable(this.deps.database.db, incidentIds);
    const dryRun = options.dryRun === true;
    const request = {
      hours: options.hours,
      since: this.since(options.hours),
      incidentIds,
      minimumSeverity: this.deps.settings.requireMinimumSeverity,
      dryRun,
    };
    const work = (tx: Db) => forceCorrelation(tx, this.deps, request);
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

  /** The automation's settings, configuration problems and the last day's activity. */
  status(): Promise<StatusReport> {
    const { database, settings, issues, clock } = this.deps;
    return automationStatus(database.db, settings, issues, clock.now());
  }

  /** How well the automation grouped the events created in the last `hours`. */
  analysis(hours: number): Promise<CorrelationAnalysis> {
    const { database, settings, clock } = this.deps;
    return correlationAnalysis(database.db, settings, hours, clock.now());
  }
}

import type { Logger } from '../log/logger.js';
import type { Db } from '../store/database.js';
import { previewing } from './decision-scope.js';
import { decideEvent, type ProcessAction, type ProcessEventResult } from './event-decision.js';
import type { EventPipeline } from './event-pipeline.js';
import type { EventProcessor } from './event-processor.js';
import type { UnprocessedEvent } from './unprocessed-events.js';

/** Events queued to the pipeline at once by a batch: one or a few group commits each. */
const BATCH_WINDOW = 512;

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

/** Observes a batch: the events it takes (and how many the window holds), then each decided. */
export interface BatchHooks {
  found?(events: readonly UnprocessedEvent[], total: number): void;
  each?(event: UnprocessedEvent, result: ProcessEventResult | Error): void;
}

/** What a batch runs on. */
export interface BatchDeps {
  readonly pipeline: EventPipeline;
  readonly processor: EventProcessor;
  readonly logger: Logger;
}

/** The events a batch takes, out of the `found` its window holds. */
export interface Batch {
  readonly events: readonly UnprocessedEvent[];
  readonly found: number;
}

type BatchResult = ProcessEventResult | Error;

/**
 * Correlates the events of `batch`, oldest first as given, and counts what was done. Each
 * event is its own decision: one that fails is counted and logged, the others go on. A dry run
 * decides them all in one transaction that is then rolled back.
 */
export async function processBatch(
  deps: BatchDeps,
  batch: Batch,
  options: { hours: number; limit?: number; dryRun?: boolean },
  hooks: BatchHooks,
): Promise<BatchReport> {
  const dryRun = options.dryRun === true;
  const results = dryRun
    ? await previewBatch(deps, batch.events, hooks)
    : await runBatch(deps, batch.events, hooks);
  return batchReport(batch.found, results, options, dryRun);
}

async function runBatch(
  deps: BatchDeps,
  events: readonly UnprocessedEvent[],
  hooks: BatchHooks,
): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for (let i = 0; i < events.length; i += BATCH_WINDOW) {
    const window = events.slice(i, i + BATCH_WINDOW);
    const settled = await Promise.allSettled(
      window.map((event) =>
        deps.pipeline.run((tx) => decideEvent(deps.processor, tx, event.id, false)),
      ),
    );
    settled.forEach((s, j) => {
      const event = window[j]!;
      const result = s.status === 'fulfilled' ? s.value : toError(s.reason);
      if (result instanceof Error) {
        deps.logger.error({ event_id: event.id, err: result }, 'event processing failed');
      }
      hooks.each?.(event, result);
      results.push(result);
    });
  }
  return results;
}

/** Decides every event in one transaction that is then rolled back. */
function previewBatch(
  deps: BatchDeps,
  events: readonly UnprocessedEvent[],
  hooks: BatchHooks,
): Promise<BatchResult[]> {
  return deps.pipeline.preview(
    previewing(async (tx: Db) => {
      const results: ProcessEventResult[] = [];
      for (const event of events) {
        const result = await decideEvent(deps.processor, tx, event.id, true);
        hooks.each?.(event, result);
        results.push(result);
      }
      return results;
    }),
  );
}

function batchReport(
  found: number,
  results: readonly BatchResult[],
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

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

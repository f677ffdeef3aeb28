import { LOCK_KEYS, type Committed, type Database, type Db } from '../store/database.js';
import type { AutomationIndexes } from '../incidents/automation-indexes.js';
import type { Logger } from '../log/logger.js';
import type { EventOutcome } from './event-input.js';
import { prefetchAlerts, saveLastDecision } from './event-rows.js';
import type { EventJob, EventProcessor } from './event-processor.js';

type Work<T> = (tx: Db) => Promise<T>;

interface Pending {
  readonly work: Work<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** A preview: runs in a transaction of its own that is rolled back. */
  readonly preview?: boolean;
  /** The dedup id of the alert the work records, looked up with the batch's others. */
  readonly dedupId?: string;
}

/** Thrown to roll a preview's transaction back; never escapes the pipeline. */
class RollBack extends Error {
  constructor(readonly result: unknown) {
    super('preview rolled back');
  }
}

/** Resolves after the I/O callbacks now due have run (setImmediate's check phase). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Most units of work one transaction takes. */
const MAX_BATCH = 512;

/**
 * The single writer of incident decisions. Work is queued and run in order; whatever queued
 * while a transaction was running goes into the next transaction together (group commit: one
 * flush to disk for many alerts). Each transaction holds the decision lock and starts by
 * bringing the in-memory indexes up to date, so decisions never interleave, in this process or
 * across processes.
 */
export class EventPipeline {
  private readonly queue: Pending[] = [];
  private draining = false;
  private idle: Promise<void> = Promise.resolve();
  /** Batches committed and not yet on disk (see runBatch). */
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly database: Database,
    private readonly indexes: AutomationIndexes,
    private readonly processor: EventProcessor,
    private readonly logger: Logger,
  ) {}

  /** Records one event (the plugin's "signals"): dedup, target, maintenance, decision. */
  record(job: EventJob): Promise<EventOutcome> {
    const dedupId = job.edit === undefined ? job.input.dedupId : undefined;
    return this.enqueue((tx) => this.processor.process(tx, job), false, dedupId);
  }

  /** Runs `work` as a decision: serialised with every other, on up-to-date indexes. */
  run<T>(work: Work<T>): Promise<T> {
    return this.enqueue(work, false);
  }

  /**
   * Runs `work` like a decision and returns what it returned, then rolls its transaction back:
   * a dry run that sees exactly what a real run would do and changes nothing.
   */
  preview<T>(work: Work<T>): Promise<T> {
    return this.enqueue(work, true);
  }

  private enqueue<T>(work: Work<T>, preview: boolean, dedupId?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = resolve as (value: unknown) => void;
      this.queue.push({ work, resolve: settle, reject, preview, dedupId });
      if (!this.draining) {
        this.draining = true;
        this.idle = nextTurn().then(() => this.drain());
      }
    });
  }

  /** Resolves once everything queued so far has been decided, and is on disk. */
  async settled(): Promise<void> {
    await this.idle;
    await Promise.all([...this.flushing]);
  }

  /**
   * Runs what is queued, batch after batch. It starts, and looks again after each batch, only on
   * the next turn of the event loop: a transaction on SQLite runs without yielding to I/O, so
   * the requests that arrived meanwhile are read only then, and join the next batch together.
   */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (this.queue[0]!.preview === true) {
          await this.runPreview(this.queue.shift()!);
        } else {
          const previewAt = this.queue.findIndex((p, i) => i < MAX_BATCH && p.preview === true);
          await this.runBatch(this.queue.splice(0, previewAt < 0 ? MAX_BATCH : previewAt));
        }
        if (this.queue.length === 0) await nextTurn();
      }
    } finally {
      this.draining = false;
    }
  }

  private async runPreview(pending: Pending): Promise<void> {
    try {
      await this.database.write(
        async (tx) => {
          await this.indexes.refresh(tx);
          throw new RollBack(await pending.work(tx));
        },
        [LOCK_KEYS.incidents],
      );
    } catch (error) {
      // The memory followed the rolled-back changes: the incidents reload next time.
      this.indexes.invalidateIncidents();
      if (error instanceof RollBack) pending.resolve(error.result);
      else pending.reject(error);
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    let committed: Committed<unknown[]>;
    try {
      committed = await this.database.commit(
        async (tx) => {
          await this.indexes.refresh(tx);
          const alerts = batch.flatMap((p) => (p.dedupId === undefined ? [] : [p.dedupId]));
          if (alerts.length > 1) await prefetchAlerts(tx, alerts);
          const out: unknown[] = [];
          for (const pending of batch) out.push(await pending.work(tx));
          await saveLastDecision(tx);
          await this.indexes.commit(tx);
          return out;
        },
        [LOCK_KEYS.incidents],
      );
    } catch (error) {
      this.indexes.invalidate();
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One unit failed the whole transaction: run each alone so only that one fails.
      this.logger.debug({ batch_size: batch.length }, 'batch failed, retrying one by one');
      for (const pending of batch) await this.runBatch([pending]);
      return;
    }
    // The next batch is decided while the disk flushes this one (group commit, pipelined);
    // this one's callers hear of it only once it is durable.
    const results = committed.value;
    const durable = committed.durable.then(
      () => batch.forEach((pending, i) => pending.resolve(results[i])),
      (error: unknown) => batch.forEach((pending) => pending.reject(error)),
    );
    this.flushing.add(durable);
    void durable.finally(() => this.flushing.delete(durable));
  }
}

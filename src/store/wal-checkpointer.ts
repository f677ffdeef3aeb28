import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How long writes may gather in the log before a checkpoint copies them into the database. */
const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Log length (frames, a page each) past which the writer lets a checkpoint catch up with it,
 * so that the log starts over: 4,096 frames of SQLite's 4 KiB pages, 16 MiB.
 */
const RESTART_FRAMES = 4096;

/** What the worker answers to a checkpoint: SQLite's counts, or the error. */
interface CheckpointResult {
  readonly error: string | null;
  /** Frames in the log. */
  readonly log: number;
  /** Frames of the log now in the database file. */
  readonly checkpointed: number;
}

/**
 * The worker: its own connection to the database file, which checkpoints the log when told.
 * Plain CommonJS run with `eval`, so that it starts alike from the sources and from dist/.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ error: null, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    const text = String(error && error.message ? error.message : error);
    parentPort.postMessage({ error: text, log: 0, checkpointed: 0 });
  }
});
`;

/**
 * Checkpoints an SQLite database's write-ahead log on a thread of its own. SQLite's automatic
 * checkpoint runs inside the commit that crosses its threshold: copying the log into the
 * database and flushing both to disk held the event loop for milliseconds at a time. The
 * connection that writes switches it off and tells this about every write; a checkpoint then
 * runs at most every 250 ms while writes come, in parallel with them (PASSIVE: it never blocks
 * a writer), and once more after the last. When the worker fails, `fallBack` restores SQLite's
 * own checkpoints.
 *
 * SQLite starts the log over only when a write finds all of it in the database file; under
 * writes that never stop, checkpoints running beside them never get there, and the log grows
 * for as long as the writes go on (by hundreds of megabytes a minute in a storm), every frame
 * written to a new part of the file, which costs the file system about as much again as the
 * copy itself. So once the log is longer than RESTART_FRAMES, the writer waits before its next
 * transaction (asynchronously: the event loop goes on) for one checkpoint that copies what the
 * last left, and that transaction then writes at the log's start again.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private running = false;
  /** Writes since the last checkpoint began. */
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private lastStart = 0;
  private failed = false;
  private idle: (() => void) | null = null;
  /** Set when the log has grown past RESTART_FRAMES: the writer lets a checkpoint catch up. */
  private restartDue = false;
  /** Callers of catchUp waiting for the next checkpoint to end. */
  private caughtUp: Array<() => void> = [];
  /** Whether a checkpoint must follow the running one at once, for a waiting writer. */
  private wantAfter = false;
  /** Set while the checkpoint that closes in on a long log runs (see ended). */
  private closingIn = false;

  private readonly restartFrames: number;
  private readonly intervalMs: number;

  constructor(
    private readonly path: string,
    private readonly fallBack: (error: string) => void,
    options: { restartFrames?: number; intervalMs?: number } = {},
  ) {
    this.restartFrames = options.restartFrames ?? RESTART_FRAMES;
    this.intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  }

  /** Notes a write: a checkpoint follows within the interval. */
  wrote(): void {
    this.dirty = true;
    if (this.running || this.timer !== null || this.failed) return;
    const wait = this.lastStart + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.start();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, wait);
    this.timer.unref();
  }

  /**
   * Null when the writer may go on at once; else a promise that resolves once a checkpoint has
   * copied the log written so far, so that the next write starts the log over. The caller holds
   * the connection meanwhile (no statement of its may run while the checkpoint catches up) and
   * must not wait for it inside a transaction. Never rejects: a failed checkpoint only means
   * the log goes on growing.
   */
  catchUp(): Promise<void> | null {
    if (!this.restartDue || this.failed) return null;
    this.restartDue = false;
    const caughtUp = new Promise<void>((resolve) => this.caughtUp.push(resolve));
    if (this.running) {
      // The running checkpoint began before the last writes: one more after it.
      this.dirty = true;
      this.wantAfter = true;
    } else {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.start();
    }
    return caughtUp;
  }

  private start(): void {
    this.dirty = false;
    this.running = true;
    this.lastStart = Date.now();
    this.spawned().postMessage('checkpoint');
  }

  private spawned(): Worker {
    if (this.worker !== null) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path: this.path },
    });
    worker.unref();
    worker.on('message', (result: CheckpointResult) => this.ended(result));
    worker.on('error', (error) => this.ended({ error: error.message, log: 0, checkpointed: 0 }));
    this.worker = worker;
    return worker;
  }

  private ended(result: CheckpointResult): void {
    this.running = false;
    if (result.error !== null) {
      this.fail(result.error);
      this.settle();
      return;
    }
    if (this.wantAfter && !this.failed) {
      this.wantAfter = false;
      this.start();
      return;
    }
    const waiting = this.caughtUp.splice(0);
    for (const resolve of waiting) resolve();
    // The log is long and was written to while this checkpoint ran (or could not all be
    // copied). One more checkpoint at once, the writer going on, copies what came during this
    // one; only then does the next transaction wait for a checkpoint to catch up, which has
    // little left to copy.
    const behind =
      waiting.length === 0 &&
      result.log >= this.restartFrames &&
      (this.dirty || result.checkpointed < result.log);
    if (behind && this.dirty && !this.closingIn) {
      this.closingIn = true;
      this.start();
      return;
    }
    this.closingIn = false;
    this.restartDue = behind;
    if (this.dirty) this.wrote();
    this.settle();
  }

  private fail(error: string): void {
    if (this.failed) return;
    this.failed = true;
    this.fallBack(error);
    for (const resolve of this.caughtUp.splice(0)) resolve();
    void this.worker?.terminate();
    this.worker = null;
  }

  private settle(): void {
    if (this.running) return;
    this.idle?.();
    this.idle = null;
  }

  /** Waits for a running checkpoint and ends the worker; nothing is checkpointed after. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.failed = true;
    this.wantAfter = false;
    for (const resolve of this.caughtUp.splice(0)) resolve();
    const worker = this.worker;
    if (worker === null) return;
    // Unreferenced, the worker would not keep the process alive while it is waited for.
    worker.ref();
    if (this.running) await new Promise<void>((resolve) => (this.idle = resolve));
    this.worker = null;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    await exited;
  }
}

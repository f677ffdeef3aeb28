import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How long writes may gather in the log before a checkpoint copies them into the database. */
const CHECKPOINT_INTERVAL_MS = 250;

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
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage(null);
  } catch (error) {
    parentPort.postMessage(String(error && error.message ? error.message : error));
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

  constructor(
    private readonly path: string,
    private readonly fallBack: (error: string) => void,
  ) {}

  /** Notes a write: a checkpoint follows within the interval. */
  wrote(): void {
    this.dirty = true;
    if (this.running || this.timer !== null || this.failed) return;
    const wait = this.lastStart + CHECKPOINT_INTERVAL_MS - Date.now();
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
    worker.on('message', (error: string | null) => {
      this.running = false;
      if (error !== null) this.fail(error);
      else if (this.dirty) this.wrote();
      this.settle();
    });
    worker.on('error', (error) => {
      this.running = false;
      this.fail(error.message);
      this.settle();
    });
    this.worker = worker;
    return worker;
  }

  private fail(error: string): void {
    if (this.failed) return;
    this.failed = true;
    this.fallBack(error);
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

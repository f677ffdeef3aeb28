import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes committed SQLite transactions durable off the event loop. A write transaction commits
 * with `synchronous = NORMAL` (consistent, but the commit does not wait for the disk), then
 * this flushes the write-ahead log with fsync in libuv's thread pool before the caller answers
 * anyone: the next transaction runs while the disk works, and one flush covers every commit
 * made before it started (group commit). Flushes never overlap: one asked for while another
 * runs starts when it ends, shared by everyone who asked meanwhile.
 */
export class WalSync {
  private handle: Promise<FileHandle> | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly walPath: string) {}

  /** Resolves once every transaction committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.running === null) {
      this.running = this.flush().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.sync();
    });
    return this.queued;
  }

  protected async flush(): Promise<void> {
    // The log exists once the database is in WAL mode; it stays while a connection is open.
    this.handle ??= open(this.walPath, 'r+');
    const handle = await this.handle;
    await handle.sync();
  }

  async close(): Promise<void> {
    await this.running;
    await this.queued;
    if (this.handle !== null) await (await this.handle).close();
    this.handle = null;
  }
}

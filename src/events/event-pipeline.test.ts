import { describe, expect, it } from 'vitest';

import type { AutomationIndexes } from '../incidents/automation-indexes.js';
import { createLogger } from '../log/logger.js';
import type { Committed, Database, Db } from '../store/database.js';
import type { EventProcessor } from './event-processor.js';
import { EventPipeline } from './event-pipeline.js';

/** A flush to disk the test finishes by hand. */
interface Flush {
  readonly done: () => void;
  readonly fail: (error: Error) => void;
}

/** A database whose commits return at once and become durable when the test says so. */
function slowDisk() {
  const flushes: Flush[] = [];
  const commits: number[] = [];
  const commit = async <T>(work: (tx: Db) => Promise<T>): Promise<Committed<T>> => {
    const value = await work({} as Db);
    commits.push(flushes.length);
    const durable = new Promise<void>((resolve, reject) => {
      flushes.push({ done: resolve, fail: reject });
    });
    durable.catch(() => undefined);
    return { value, durable };
  };
  const database = { commit } as unknown as Database;
  return { database, flushes, commits };
}

function pipeline(database: Database): EventPipeline {
  const indexes = {
    refresh: async () => undefined,
    commit: async () => undefined,
    invalidate: () => undefined,
  } as unknown as AutomationIndexes;
  const logger = createLogger({ level: 'silent', file: null, stdout: false });
  return new EventPipeline(database, indexes, {} as EventProcessor, logger);
}

/** Lets every promise and I/O turn that is due run. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('EventPipeline', () => {
  it('answers a batch once its commit is on disk, deciding the next one meanwhile', async () => {
    const { database, flushes, commits } = slowDisk();
    const events = pipeline(database);
    const answered: string[] = [];
    const first = events.run(async () => 'first').then((v) => answered.push(v));
    await turns();
    const second = events.run(async () => 'second').then((v) => answered.push(v));
    await turns();

    // Both batches committed while the first is still being flushed; nobody heard yet.
    expect(commits).toHaveLength(2);
    expect(answered).toEqual([]);
    flushes[1]!.done();
    await turns();
    expect(answered).toEqual(['second']);
    flushes[0]!.done();
    await Promise.all([first, second]);
    expect(answered).toEqual(['second', 'first']);
  });

  it('fails every caller of a batch whose flush failed; settles only after flushes', async () => {
    const { database, flushes } = slowDisk();
    const events = pipeline(database);
    const a = events.run(async () => 1);
    const b = events.run(async () => 2);
    let settled = false;
    await turns();
    const whenSettled = events.settled().then(() => (settled = true));
    await turns();
    expect(settled).toBe(false);

    flushes[0]!.fail(new Error('EIO: fsync failed'));
    await expect(a).rejects.toThrow(/EIO/);
    await expect(b).rejects.toThrow(/EIO/);
    await whenSettled;
    expect(settled).toBe(true);
  });
});

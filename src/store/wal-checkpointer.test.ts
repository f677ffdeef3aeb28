import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from './database.js';
import { WalCheckpointer } from './wal-checkpointer.js';

/** Resolves once `check` holds, polling every 20 ms for at most `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/** A database in WAL mode with SQLite's own checkpoints off, and a table `t` of text rows. */
function walDatabase(path: string): SqliteDatabase.Database {
  const db = new SqliteDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, body text not null)');
  return db;
}

/**
 * Writes `transactions` transactions of four 16 KiB rows, a millisecond or more apart, the way
 * the SQLite dialect does: waiting for a catch-up when the checkpointer asks for one. Returns
 * how many times it waited.
 */
async function writeBeside(
  db: SqliteDatabase.Database,
  checkpointer: WalCheckpointer,
  transactions: number,
): Promise<number> {
  const insert = db.prepare('insert into t (body) values (?)');
  const body = 'x'.repeat(16 * 1024);
  let waits = 0;
  for (let i = 0; i < transactions; i++) {
    const wait = checkpointer.catchUp();
    if (wait !== null) {
      waits++;
      await wait;
    }
    db.transaction(() => {
      for (let j = 0; j < 4; j++) insert.run(body);
    })();
    checkpointer.wrote();
    await new Promise((r) => setTimeout(r, 1));
  }
  return waits;
}

describe('SQLite checkpoints on a thread of their own', () => {
  const dirs: string[] = [];
  const tempPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-checkpoint-'));
    dirs.push(dir);
    return join(dir, 'f.db');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed writes into the database file while the connection stays open', async () => {
    const path = tempPath();
    const database = openDatabase({ kind: 'sqlite', path });
    try {
      await sql`create table t (id integer primary key, body text not null)`.execute(database.db);
      const before = statSync(path).size;
      // About 2 MiB, below SQLite's own threshold of 1,000 pages: only a checkpoint of ours
      // brings it into the database file.
      await database.write(async (tx) => {
        for (let i = 0; i < 64; i++) {
          await sql`insert into t (body) values (${'x'.repeat(32 * 1024)})`.execute(tx);
        }
      });
      const grown = await eventually(() => statSync(path).size > before + 1024 * 1024, 5000);
      expect(grown).toBe(true);
      const { n } = (await sql<{ n: number }>`select count(*) as n from t`.execute(database.db))
        .rows[0]!;
      expect(n).toBe(64);
    } finally {
      await database.close();
    }
    const reopened = new SqliteDatabase(path, { readonly: true });
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: 64 });
    reopened.close();
  });

  it('lets a process that closes the database go on until its checkpoint is done', () => {
    // Closing waits for the worker, which must keep the process alive meanwhile: a process
    // whose only work left is that wait would otherwise end before reaching its next line.
    const database = fileURLToPath(new URL('./database.ts', import.meta.url));
    const script = `
      import { sql } from 'kysely';
      import { openDatabase } from ${JSON.stringify(database)};
      const db = openDatabase({ kind: 'sqlite', path: process.argv[1] });
      await sql\`create table t (id integer primary key)\`.execute(db.db);
      await db.write((tx) => sql\`insert into t (id) values (1)\`.execute(tx));
      await db.close();
      process.stdout.write('closed');
    `;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, tempPath()],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('closed');
    expect(child.status).toBe(0);
  });

  it('starts the log over while writes go on without a pause', async () => {
    // Checkpoints beside a writer that never stops never copy all of the log. The writer here
    // does what the SQLite dialect does: it lets a checkpoint catch up once the log is long.
    const path = tempPath();
    const db = walDatabase(path);
    const checkpointer = new WalCheckpointer(path, (error) => expect.fail(error), {
      restartFrames: 256,
      intervalMs: 20,
    });
    let caughtUp = 0;
    try {
      // 16 MiB in 256 transactions of 64 KiB.
      caughtUp = await writeBeside(db, checkpointer, 256);
    } finally {
      await checkpointer.close();
    }
    expect(caughtUp).toBeGreaterThan(0);
    // Without the catch-up the log would hold all 16 MiB (4,096 frames).
    expect(statSync(`${path}-wal`).size).toBeLessThan(8 * 1024 * 1024);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 1024 });
    db.close();
  });

  it('lets the writer go on while a reader keeps the log from starting over', async () => {
    // Another connection reading an old snapshot: no checkpoint can copy the whole log, so the
    // log cannot start over; the writer's waits must still end, each after one checkpoint.
    const path = tempPath();
    const db = walDatabase(path);
    db.prepare('insert into t (body) values (?)').run('before the reader');
    const reader = new SqliteDatabase(path, { readonly: true });
    reader.exec('begin');
    expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    const checkpointer = new WalCheckpointer(path, (error) => expect.fail(error), {
      restartFrames: 64,
      intervalMs: 10,
    });
    let waits = 0;
    try {
      waits = await writeBeside(db, checkpointer, 128);
    } finally {
      await checkpointer.close();
    }
    expect(waits).toBeGreaterThan(0);
    // The reader still sees its snapshot; the writer's rows are all there.
    expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    reader.exec('commit');
    reader.close();
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 1 + 128 * 4 });
    db.close();
  });

  it("falls back to SQLite's checkpoints when the worker cannot open the database", async () => {
    const errors: string[] = [];
    const checkpointer = new WalCheckpointer(join(tempPath(), 'missing', 'f.db'), (error) =>
      errors.push(error),
    );
    checkpointer.wrote();
    expect(await eventually(() => errors.length > 0, 5000)).toBe(true);
    expect(errors).toHaveLength(1);
    // Once failed, later writes start nothing more.
    checkpointer.wrote();
    await checkpointer.close();
    expect(errors).toHaveLength(1);
  });
});

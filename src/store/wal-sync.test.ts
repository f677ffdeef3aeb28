import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from './database.js';
import { WalSync } from './wal-sync.js';

describe('SQLite commits flushed off the event loop', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-wal-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every committed write across a reopen', async () => {
    const path = join(tempDir(), 'f.db');
    const first = openDatabase({ kind: 'sqlite', path });
    await first.db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        first.write((tx) =>
          tx
            .insertInto('t')
            .values({ id: i + 1 })
            .execute(),
        ),
      ),
    );
    await first.close();

    const again = openDatabase({ kind: 'sqlite', path });
    const rows = await again.db.selectFrom('t').select('id').execute();
    await again.close();
    expect(rows).toHaveLength(20);
  });

  it('commits write transactions without waiting for the disk, syncs the rest', async () => {
    const database = openDatabase({ kind: 'sqlite', path: join(tempDir(), 'f.db') });
    const level = async (ex: typeof database.db) =>
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(ex)).rows[0]!.synchronous;
    try {
      // SQLite's levels: 1 NORMAL (the transaction flushes its log itself), 2 FULL.
      const before = await level(database.db);
      const inside = await database.write((tx) => level(tx));
      const after = await level(database.db);
      const again = await database.write((tx) => level(tx));
      expect([before, inside, after, again]).toEqual([2, 1, 2, 1]);
    } finally {
      await database.close();
    }
  });

  it('shares one flush among those who ask while another runs', async () => {
    const dir = tempDir();
    const path = join(dir, 'log');
    writeFileSync(path, 'x');
    let flushes = 0;
    const counted = new (class extends WalSync {
      protected override async flush(): Promise<void> {
        flushes += 1;
        await super.flush();
      }
    })(path);

    await Promise.all([counted.sync(), counted.sync(), counted.sync(), counted.sync()]);
    expect(flushes).toBe(2);
    await counted.sync();
    expect(flushes).toBe(3);
    await counted.close();
  });

  it('fails the sync when the log cannot be opened, and says why', async () => {
    const wal = new WalSync(join(tempDir(), 'absent', 'log'));
    await expect(wal.sync()).rejects.toThrow(/ENOENT/);
  });
});

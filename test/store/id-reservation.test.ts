import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Database, Db } from '../../src/store/database.js';
import { reserveId } from '../../src/store/id-reservation.js';
import { deferWrite } from '../../src/store/prepared-query.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { engines, freshDatabase, type TestDatabase } from '../support/databases.js';

const OBJECT_COLUMNS = {
  created: '2026-01-01T00:00:00Z',
  last_updated: '2026-01-01T00:00:00Z',
  tags: '[]',
  custom_fields: '{}',
};

describe.each(engines())('ids reserved ahead on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await freshDatabase(engine);
    database = test.open();
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database.close();
    await test.dispose();
  });

  it('come from the sequence, distinct and rising across blocks and transactions', async () => {
    const take = () =>
      database.write(async (tx) => {
        const ids: (number | null)[] = [];
        for (let i = 0; i < 100; i++) ids.push(await reserveId(tx, 'events'));
        return ids;
      });
    const first = await take();
    const second = await take();

    if (engine === 'sqlite') {
      // The transaction holds the write lock: the ids after the counter are its own, and
      // what it did not insert is handed out again.
      const expected = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
      return;
    }
    const all = [...first, ...second] as number[];
    expect(new Set(all).size).toBe(200);
    expect(all).toEqual([...all].sort((a, b) => a - b));
  });

  it('continue after the rows inserted with them, in the next transaction too', async () => {
    const insertOne = (tx: Db, id: number) =>
      tx
        .insertInto('event_sources')
        .values({ id, name: `source ${id}`, description: '', ...OBJECT_COLUMNS })
        .execute();
    const firstIds = await database.write(async (tx) => {
      const ids = [
        (await reserveId(tx, 'event_sources'))!,
        (await reserveId(tx, 'event_sources'))!,
      ];
      for (const id of ids) await insertOne(tx, id);
      return ids;
    });
    const next = await database.write(async (tx) => reserveId(tx, 'event_sources'));
    expect(firstIds[1]).toBeGreaterThan(firstIds[0]!);
    expect(next).toBeGreaterThan(firstIds[1]!);
  });

  it.runIf(engine === 'postgres')(
    'ask for the next block ahead, and a write that fails on its way fails the commit',
    async () => {
      const failing = database.write(async (tx) => {
        const source = (id: number) =>
          tx
            .insertInto('event_sources')
            .values({ id, name: 'sent ahead', description: '', ...OBJECT_COLUMNS });
        const first = (await reserveId(tx, 'events'))!;
        await deferWrite(tx, source(first + 1_000_000));
        // The name is taken: the unique constraint refuses this row.
        await deferWrite(tx, source(first + 1_000_001));
        // 48 ids taken leaves 16: the next block is asked for, the waiting writes with it.
        for (let i = 1; i < 48; i++) await reserveId(tx, 'events');
        // Nobody waits for that block: the transaction ends here.
      });
      await expect(failing).rejects.toThrow(/event_sources|unique|duplicate/i);
      const kept = await database.db
        .selectFrom('event_sources')
        .select('id')
        .where('name', '=', 'sent ahead')
        .execute();
      expect(kept).toEqual([]);
    },
  );

  it.runIf(engine === 'sqlite')('are none outside a write transaction on sqlite', async () => {
    expect(await reserveId(database.db, 'events')).toBeNull();
  });
});

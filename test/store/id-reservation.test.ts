import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Database } from '../../src/store/database.js';
import { reserveId } from '../../src/store/id-reservation.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { engines, freshDatabase, type TestDatabase } from '../support/databases.js';

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
      // SQLite inserts run at once and answer with their id: nothing is reserved.
      expect(new Set([...first, ...second])).toEqual(new Set([null]));
      return;
    }
    const all = [...first, ...second] as number[];
    expect(new Set(all).size).toBe(200);
    expect(all).toEqual([...all].sort((a, b) => a - b));
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Database } from '../../src/store/database.js';
import { PreparedQuery } from '../../src/store/prepared-query.js';
import { engines, freshDatabase, type TestDatabase } from '../support/databases.js';

const INSERT = new PreparedQuery<[number, string]>(2, (db, [id, name]) =>
  db.insertInto('items').values({ id: id!, name: name! }),
);

const names = async (db: Database['db']) =>
  (await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name);

describe.each(engines())('deferred writes on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await freshDatabase(engine);
    database = test.open();
    await database.db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('flag', 'boolean')
      .execute();
  });
  afterAll(async () => {
    await database.close();
    await test.dispose();
  });
  beforeEach(async () => {
    await sql`delete from items`.execute(database.db);
  });

  it('are seen by the next statement of the transaction, and committed with it', async () => {
    const seen = await database.write(async (tx) => {
      await INSERT.defer(tx, [1, "it's"]);
      await INSERT.defer(tx, [2, 'c:\\tmp']);
      return names(tx);
    });

    expect(seen).toEqual(["it's", 'c:\\tmp']);
    expect(await names(database.db)).toEqual(["it's", 'c:\\tmp']);
  });

  it('are committed when nothing reads after them', async () => {
    await database.write(async (tx) => {
      await INSERT.defer(tx, [1, 'a']);
      await INSERT.defer(tx, [2, 'b']);
    });

    expect(await names(database.db)).toEqual(['a', 'b']);
  });

  it('fail their transaction when one of them fails, leaving nothing stored', async () => {
    const failing = database.write(async (tx) => {
      await INSERT.defer(tx, [1, 'a']);
      await INSERT.defer(tx, [1, 'clash']);
    });

    await expect(failing).rejects.toThrow();
    expect(await names(database.db)).toEqual([]);
  });

  it('are forgotten when their transaction rolls back', async () => {
    const failing = database.write(async (tx) => {
      await INSERT.defer(tx, [1, 'a']);
      throw new Error('decision failed');
    });

    await expect(failing).rejects.toThrow('decision failed');
    await database.write((tx) => INSERT.defer(tx, [2, 'b']));
    expect(await names(database.db)).toEqual(['b']);
  });

  it('run at once outside a transaction', async () => {
    await INSERT.defer(database.db, [1, 'a']);

    expect(await names(database.db)).toEqual(['a']);
  });

  it('leave the statement they travel with its meaning: a 1 still fits a boolean', async () => {
    const flags = await database.write(async (tx) => {
      await INSERT.defer(tx, [1, 'a']);
      await tx.updateTable('items').set({ flag: 1 }).where('id', '=', 1).execute();
      return tx.selectFrom('items').select('flag').execute();
    });

    expect(flags.map((r) => Boolean(r.flag))).toEqual([true]);
  });
});

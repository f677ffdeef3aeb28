import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, type Database } from './database.js';
import { PreparedQuery, updateById } from './prepared-query.js';

describe('prepared queries', () => {
  let database: Database;
  beforeEach(async () => {
    database = openDatabase({ kind: 'sqlite', path: ':memory:' });
    await database.db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('state', 'text')
      .execute();
  });
  afterEach(async () => {
    await database.close();
  });

  const INSERT = new PreparedQuery<[string, string]>(2, (db, [name, state]) =>
    db.insertInto('items').values({ name: name!, state: state! }).returning('id'),
  );
  // 'open' and 'held' are written by build itself: constants of every run.
  const OPEN_NAMED = new PreparedQuery<[string]>(1, (db, [name]) =>
    db
      .selectFrom('items')
      .select(['id', 'name'])
      .where('state', 'in', ['open', 'held'])
      .where('name', '=', name!)
      .orderBy('id'),
  );

  it('runs with new values each time, keeping the constants of the build', async () => {
    const a = await INSERT.rows<{ id: number }>(database.db, ['a', 'open']);
    await INSERT.rows(database.db, ['a', 'closed']);
    const c = await INSERT.rows<{ id: number }>(database.db, ['a', 'held']);
    await INSERT.rows(database.db, ['b', 'open']);

    expect(await OPEN_NAMED.rows(database.db, ['a'])).toEqual([
      { id: a[0]!.id, name: 'a' },
      { id: c[0]!.id, name: 'a' },
    ]);
    expect(await OPEN_NAMED.rows(database.db, ['b'])).toEqual([{ id: 4, name: 'b' }]);
    expect(await OPEN_NAMED.rows(database.db, ['z'])).toEqual([]);
  });

  it('updates by id whatever columns are given, in any order', async () => {
    await INSERT.rows(database.db, ['a', 'open']);
    await INSERT.rows(database.db, ['b', 'open']);

    const first = await updateById(database.db, 'items', 1, { state: 'closed', name: 'x' });
    await updateById(database.db, 'items', 2, { name: 'y', state: 'held' });
    await updateById(database.db, 'items', 2, { state: 'open' });

    expect(Number(first.numAffectedRows)).toBe(1);
    const rows = await database.db.selectFrom('items').selectAll().orderBy('id').execute();
    expect(rows).toEqual([
      { id: 1, name: 'x', state: 'closed' },
      { id: 2, name: 'y', state: 'open' },
    ]);
  });

  it('answers the same inside a write transaction, where SQLite runs it directly', async () => {
    const inside = await database.write(async (tx) => {
      const inserted = await INSERT.rows<{ id: number }>(tx, ['a', 'open']);
      const changed = await updateById(tx, 'items', inserted[0]!.id, { state: 'held' });
      return { inserted, changed, named: await OPEN_NAMED.rows(tx, ['a']) };
    });

    expect(inside.inserted).toEqual([{ id: 1 }]);
    expect(Number(inside.changed.numAffectedRows)).toBe(1);
    expect(inside.named).toEqual([{ id: 1, name: 'a' }]);
  });

  it('rolls back what ran directly when the transaction fails', async () => {
    const failing = database.write(async (tx) => {
      await INSERT.rows(tx, ['a', 'open']);
      throw new Error('decision failed');
    });

    await expect(failing).rejects.toThrow('decision failed');
    expect(await OPEN_NAMED.rows(database.db, ['a'])).toEqual([]);
  });
});

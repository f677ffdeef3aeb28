import { afterEach, describe, expect, it } from 'vitest';

import type { Database } from '../../src/store/database.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { engines, freshDatabase, type TestDatabase } from '../support/databases.js';

const AT = '2026-03-01T12:00:00.000Z';
const LATER = '2026-03-01T12:05:00.000Z';

describe.each(engines())('upgrading a database on %s', (engine) => {
  let test: TestDatabase;
  let database: Database;
  afterEach(async () => {
    await database.close();
    await test.dispose();
  });

  it('keeps the latest decision time and the alert key when the intake indexes change', async () => {
    test = await freshDatabase(engine);
    database = test.open();
    await migrateTo(database, '006-webhook-entries');
    const event = (dedup: string, processedAt: string | null) => ({
      created: AT,
      last_updated: AT,
      tags: '[]',
      custom_fields: '{}',
      created_at: AT,
      last_seen_at: AT,
      is_valid: 1,
      message: dedup,
      dedup_id: dedup,
      status: 'triggered',
      criticality: 'high',
      raw: '{}',
      occurrences: 1,
      processed_at: processedAt,
    });
    await database.db
      .insertInto('events')
      .values([event('a', AT), event('b', LATER), event('c', null)])
      .execute();

    await migrateToLatest(database);

    const state = await database.db
      .selectFrom('automation_state')
      .select('last_processed_at')
      .executeTakeFirstOrThrow();
    expect(new Date(String(state.last_processed_at)).toISOString()).toBe(LATER);
    // The alert key (source, dedup_id) stays unique under its new index.
    const again = database.db.insertInto('events').values(event('a', null)).execute();
    await expect(again).rejects.toThrow();
  });
});

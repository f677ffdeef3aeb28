import { sql, type Kysely } from 'kysely';

import type { ColumnTypes } from './column-types.js';

/**
 * Fewer indexes for every stored alert to update. The alert's unique key leads with dedup_id,
 * so it also serves a filter on dedup_id alone, and the index on dedup_id goes. The latest
 * decision's time moves to automation_state, written with each decision, and the index on
 * processed_at, which each decision rewrote, goes.
 */
export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema.dropIndex('events_dedup').execute();
  await db.schema.dropIndex('events_alert').execute();
  await db.schema
    .createIndex('events_alert')
    .on('events')
    .columns(['dedup_id', 'source_key'])
    .unique()
    .execute();
  await db.schema.dropIndex('events_processed_at').execute();
  await db.schema
    .alterTable('automation_state')
    .addColumn('last_processed_at', t.timestamp)
    .execute();
  await sql`update automation_state
    set last_processed_at = (select max(processed_at) from events)`.execute(db);
}

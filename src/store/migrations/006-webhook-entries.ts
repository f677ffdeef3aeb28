import type { Kysely } from 'kysely';

import type { ColumnTypes } from './column-types.js';

/**
 * Which entry of BUSINESS_APP_NOTIFICATION_WEBHOOKS a webhook delivery belongs to, among the
 * entries with its URL (0 for the first): two entries with one URL each sign with their own
 * secret. Deliveries written before are the first entry's, as they were sent.
 */
export async function up(db: Kysely<unknown>, _t: ColumnTypes): Promise<void> {
  await db.schema
    .alterTable('notification_deliveries')
    .addColumn('webhook_entry', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

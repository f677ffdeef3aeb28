import type { Kysely } from 'kysely';

import type { ColumnTypes } from './column-types.js';

type Db = Kysely<unknown>;

/**
 * The notification outbox: one row per message to one receiver, written in the transaction
 * that changed the incident. The incident id is kept without a foreign key: a delivery outlives
 * an incident that a regrouping or a purge removes.
 */
async function deliveries(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('notification_deliveries'))
    .addColumn('delivery_id', 'text', (c) => c.notNull().unique())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('routing_key', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'integer', (c) => c.notNull())
    // Text, not JSON: the bytes sent (and signed) are exactly the bytes stored.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', t.timestamp)
    .addColumn('claimed_until', t.timestamp)
    .addColumn('claim_token', 'text')
    .addColumn('delivered_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due')
    .on('notification_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notification_deliveries_incident')
    .on('notification_deliveries')
    .columns(['incident_id', 'channel', 'target'])
    .execute();
}

/** Incident notifications: the delivery outbox, and PagerDuty routing keys on the topology. */
export async function up(db: Db, t: ColumnTypes): Promise<void> {
  await deliveries(db, t);
  for (const table of ['technical_services', 'business_applications']) {
    await db.schema.alterTable(table).addColumn('pagerduty_routing_key', 'text').execute();
  }
}

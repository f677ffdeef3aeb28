import { sql, type Kysely } from 'kysely';

import type { ColumnTypes } from './column-types.js';

type Db = Kysely<unknown>;

async function state(db: Db): Promise<void> {
  await db.schema
    .createTable('automation_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('topology_version', 'integer', (c) => c.notNull())
    .addColumn('incident_version', 'integer', (c) => c.notNull())
    .execute();
  await db
    .insertInto('automation_state' as never)
    .values({ id: 1, topology_version: 0, incident_version: 0 } as never)
    .execute();
}

async function events(db: Db, t: ColumnTypes): Promise<void> {
  // One alert is one (event source, dedup_id); an event without a source has source_key 0.
  await db.schema
    .alterTable('events')
    .addColumn('source_key', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('events_alert')
    .on('events')
    .columns(['source_key', 'dedup_id'])
    .unique()
    .execute();
  await db.schema.alterTable('events').addColumn('maintenance_id', 'integer').execute();
  await db.schema.alterTable('events').addColumn('correlation', t.json).execute();
  await db.schema.alterTable('events').addColumn('processed_at', t.timestamp).execute();
}

async function incidents(db: Db, t: ColumnTypes): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('title_auto', t.bool, (c) => c.notNull().defaultTo(sql`false`))
    .execute();
  await db.schema.alterTable('incidents').addColumn('status_before_resolve', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('last_event_at', t.timestamp).execute();

  await db.schema
    .createTable('incident_root_causes')
    .addColumn('incident_id', 'integer', (c) =>
      c.notNull().references('incidents.id').onDelete('cascade'),
    )
    .addColumn('technical_service_id', 'integer', (c) =>
      c.notNull().references('technical_services.id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('incident_root_causes_pk', ['incident_id', 'technical_service_id'])
    .execute();

  await t
    .id(db.schema.createTable('incident_timeline'))
    .addColumn('incident_id', 'integer', (c) =>
      c.notNull().references('incidents.id').onDelete('cascade'),
    )
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('detail', t.json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_timeline_incident')
    .on('incident_timeline')
    .columns(['incident_id', 'id'])
    .execute();
}

/** Incident automation: change counters, alert identity, decisions, root causes, timeline. */
export async function up(db: Db, t: ColumnTypes): Promise<void> {
  await state(db);
  await events(db, t);
  await incidents(db, t);
}

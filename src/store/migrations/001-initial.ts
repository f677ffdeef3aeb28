import { sql, type Kysely } from 'kysely';

import type { ColumnTypes } from './column-types.js';

type Db = Kysely<unknown>;

const sqlNotSelf = sql`upstream_service_id <> downstream_service_id`;

async function inventory(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('clusters'))
    .addColumn('netbox_id', 'integer', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text')
    .addColumn('site', 'text')
    .execute();

  await t
    .objectColumns(db.schema.createTable('devices'))
    .addColumn('netbox_id', 'integer', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('site', 'text')
    .addColumn('cluster_id', 'integer', (c) => c.references('clusters.id').onDelete('set null'))
    .addColumn('primary_ip', 'text')
    .addColumn('platform', 'text')
    .execute();

  await t
    .objectColumns(db.schema.createTable('virtual_machines'))
    .addColumn('netbox_id', 'integer', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'integer', (c) => c.references('clusters.id').onDelete('set null'))
    .addColumn('device_id', 'integer', (c) => c.references('devices.id').onDelete('set null'))
    .addColumn('primary_ip', 'text')
    .execute();

  await db.schema.createIndex('devices_cluster').on('devices').column('cluster_id').execute();
  await db.schema.createIndex('vms_cluster').on('virtual_machines').column('cluster_id').execute();
  await db.schema.createIndex('vms_device').on('virtual_machines').column('device_id').execute();
}

/** A many-to-many link table with cascading foreign keys on both sides. */
async function linkTable(
  db: Db,
  name: string,
  left: [column: string, table: string],
  right: [column: string, table: string],
): Promise<void> {
  await db.schema
    .createTable(name)
    .addColumn(left[0], 'integer', (c) =>
      c.notNull().references(`${left[1]}.id`).onDelete('cascade'),
    )
    .addColumn(right[0], 'integer', (c) =>
      c.notNull().references(`${right[1]}.id`).onDelete('cascade'),
    )
    .addPrimaryKeyConstraint(`${name}_pk`, [left[0], right[0]])
    .execute();
  await db.schema.createIndex(`${name}_reverse`).on(name).columns([right[0], left[0]]).execute();
}

async function applications(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('business_applications'))
    .addColumn('appcode', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('delegate', 'text')
    .addColumn('servicenow', 'text')
    .execute();
  await linkTable(
    db,
    'business_application_devices',
    ['business_application_id', 'business_applications'],
    ['device_id', 'devices'],
  );
  await linkTable(
    db,
    'business_application_virtual_machines',
    ['business_application_id', 'business_applications'],
    ['virtual_machine_id', 'virtual_machines'],
  );
}

async function services(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('technical_services'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('service_type', 'text', (c) => c.notNull())
    .execute();
  const service: [string, string] = ['technical_service_id', 'technical_services'];
  await linkTable(db, 'technical_service_business_applications', service, [
    'business_application_id',
    'business_applications',
  ]);
  await linkTable(db, 'technical_service_devices', service, ['device_id', 'devices']);
  await linkTable(db, 'technical_service_virtual_machines', service, [
    'virtual_machine_id',
    'virtual_machines',
  ]);
  await linkTable(db, 'technical_service_clusters', service, ['cluster_id', 'clusters']);

  await t
    .objectColumns(db.schema.createTable('service_dependencies'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('upstream_service_id', 'integer', (c) =>
      c.notNull().references('technical_services.id').onDelete('cascade'),
    )
    .addColumn('downstream_service_id', 'integer', (c) =>
      c.notNull().references('technical_services.id').onDelete('cascade'),
    )
    .addColumn('dependency_type', 'text', (c) => c.notNull())
    .addUniqueConstraint('service_dependencies_pair', [
      'upstream_service_id',
      'downstream_service_id',
    ])
    .addCheckConstraint('service_dependencies_not_self', sqlNotSelf)
    .execute();
  await db.schema
    .createIndex('service_dependencies_downstream')
    .on('service_dependencies')
    .column('downstream_service_id')
    .execute();
}

async function events(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('event_sources'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();

  await t
    .objectColumns(db.schema.createTable('events'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('object_type', 'text')
    .addColumn('object_id', 'integer')
    .addColumn('is_valid', t.bool, (c) => c.notNull())
    .addColumn('invalid_reason', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('dedup_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('event_source_id', 'integer', (c) =>
      c.references('event_sources.id').onDelete('set null'),
    )
    .addColumn('raw', t.json, (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_dedup').on('events').column('dedup_id').execute();
  await db.schema
    .createIndex('events_target')
    .on('events')
    .columns(['object_type', 'object_id'])
    .execute();
  await db.schema.createIndex('events_created_at').on('events').column('created_at').execute();
}

async function operations(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('maintenance'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('planned_start', t.timestamp, (c) => c.notNull())
    .addColumn('planned_end', t.timestamp, (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('maintenance_target')
    .on('maintenance')
    .columns(['object_type', 'object_id'])
    .execute();

  await t
    .objectColumns(db.schema.createTable('change_types'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();

  await t
    .objectColumns(db.schema.createTable('changes'))
    .addColumn('type_id', 'integer', (c) =>
      c.notNull().references('change_types.id').onDelete('restrict'),
    )
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('changes_target')
    .on('changes')
    .columns(['object_type', 'object_id', 'created_at'])
    .execute();
}

async function incidents(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .objectColumns(db.schema.createTable('incidents'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('detected_at', t.timestamp)
    .addColumn('resolved_at', t.timestamp)
    .addColumn('reporter', 'text', (c) => c.notNull())
    .addColumn('commander', 'text', (c) => c.notNull())
    .addColumn('responders', t.json, (c) => c.notNull())
    .addColumn('auto_created', t.bool, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_status').on('incidents').column('status').execute();
  await db.schema.createIndex('incidents_created').on('incidents').column('created').execute();

  const incident: [string, string] = ['incident_id', 'incidents'];
  await linkTable(db, 'incident_services', incident, [
    'technical_service_id',
    'technical_services',
  ]);
  await linkTable(db, 'incident_devices', incident, ['device_id', 'devices']);
  await linkTable(db, 'incident_virtual_machines', incident, [
    'virtual_machine_id',
    'virtual_machines',
  ]);
  await linkTable(db, 'incident_events', incident, ['event_id', 'events']);
}

async function tokens(db: Db, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable('api_tokens'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('write_enabled', t.bool, (c) => c.notNull())
    .addColumn('created', t.timestamp, (c) => c.notNull())
    .addColumn('last_used', t.timestamp)
    .addColumn('expires', t.timestamp)
    .execute();
}

/** The Business Application plugin's whole data model, plus API tokens. */
export async function up(db: Db, t: ColumnTypes): Promise<void> {
  await inventory(db, t);
  await applications(db, t);
  await services(db, t);
  await events(db, t);
  await operations(db, t);
  await incidents(db, t);
  await tokens(db, t);
}

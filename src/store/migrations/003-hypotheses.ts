import { sql, type Kysely } from 'kysely';

import type { ColumnTypes } from './column-types.js';

type Db = Kysely<unknown>;

/** Ranked root causes, incidents merged into others, services listed only as context. */
export async function up(db: Db, t: ColumnTypes): Promise<void> {
  // A service listed only because a VM's cluster lists it: affected, not alerting.
  await db.schema
    .alterTable('incident_services')
    .addColumn('context', t.bool, (c) => c.notNull().defaultTo(sql`false`))
    .execute();
  await db.schema
    .alterTable('incident_root_causes')
    .addColumn('rank', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('incidents')
    .addColumn('infra_groups', t.json, (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('incidents')
    .addColumn('merged_into_id', 'integer', (c) =>
      c.references('incidents.id').onDelete('set null'),
    )
    .execute();
}

import type { Kysely } from 'kysely';

type Db = Kysely<unknown>;

/** Indexes for the operations surface: the latest decision, and firing events by age. */
export async function up(db: Db): Promise<void> {
  await db.schema.createIndex('events_processed_at').on('events').column('processed_at').execute();
  await db.schema
    .createIndex('events_status_created')
    .on('events')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('incidents_status_resolved')
    .on('incidents')
    .columns(['status', 'resolved_at'])
    .execute();
}

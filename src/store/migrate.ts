import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';

import type { Database } from './database.js';
import { columnTypes } from './migrations/column-types.js';
import * as initial from './migrations/001-initial.js';
import * as automation from './migrations/002-automation.js';
import * as hypotheses from './migrations/003-hypotheses.js';
import * as operations from './migrations/004-operations.js';
import * as notifications from './migrations/005-notifications.js';
import * as webhookEntries from './migrations/006-webhook-entries.js';
import * as intakeIndexes from './migrations/007-intake-indexes.js';

type MigrationModule = { up: typeof initial.up };

/** Every migration, in order. The names are stored; never rename one that has shipped. */
const MIGRATIONS: ReadonlyArray<[name: string, module: MigrationModule]> = [
  ['001-initial', initial],
  ['002-automation', automation],
  ['003-hypotheses', hypotheses],
  ['004-operations', operations],
  ['005-notifications', notifications],
  ['006-webhook-entries', webhookEntries],
  ['007-intake-indexes', intakeIndexes],
];

/** The newest migration this version of Faultline knows. */
export const LATEST_SCHEMA_VERSION: string = MIGRATIONS[MIGRATIONS.length - 1]![0];

function provider(database: Database): MigrationProvider {
  const types = columnTypes(database.dialect.name);
  const migrations: Record<string, Migration> = {};
  for (const [name, module] of MIGRATIONS) {
    migrations[name] = { up: (db) => module.up(db, types) };
  }
  return { getMigrations: () => Promise.resolve(migrations) };
}

async function createMigrator(database: Database): Promise<Migrator> {
  const schema = await database.dialect.migrationSchema(database.db);
  return new Migrator({
    db: database.db,
    provider: provider(database),
    migrationTableName: 'faultline_migrations',
    migrationLockTableName: 'faultline_migrations_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

export interface MigrationReport {
  /** Migrations applied by this run, in order. */
  readonly applied: string[];
  /** The newest migration now in the database. */
  readonly version: string;
}

/** Brings the schema up to date; safe to run on every start and from several processes. */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  const migrator = await createMigrator(database);
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  const applied = (results ?? [])
    .filter((r: MigrationResult) => r.status === 'Success')
    .map((r) => r.migrationName);
  return { applied, version: LATEST_SCHEMA_VERSION };
}

/** Brings the schema to exactly `name` (an upgrade path under test starts from an old one). */
export async function migrateTo(database: Database, name: string): Promise<void> {
  const migrator = await createMigrator(database);
  const { error } = await migrator.migrateTo(name);
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
}

/** The newest migration recorded in the database, or null when none ran yet. */
export async function schemaVersion(database: Database): Promise<string | null> {
  const migrator = await createMigrator(database);
  const all = await migrator.getMigrations();
  const done = all.filter((m) => m.executedAt !== undefined);
  return done.length > 0 ? done[done.length - 1]!.name : null;
}

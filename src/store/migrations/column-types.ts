import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';

import type { DialectName } from '../database.js';

type Table = CreateTableBuilder<string, string>;

/**
 * Column types for migrations. Both engines share one migration set; only these spellings
 * differ: timestamps are ISO text on SQLite and timestamptz on PostgreSQL, JSON is text or
 * jsonb, booleans are 0/1 or boolean.
 */
export interface ColumnTypes {
  readonly timestamp: 'text' | 'timestamptz';
  readonly json: 'text' | 'jsonb';
  readonly bool: 'integer' | 'boolean';
  /** Adds the integer primary key `id`, assigned by the database. */
  id(table: Table): Table;
  /** Adds `id`, `created`, `last_updated`, `tags` and `custom_fields`, common to every object. */
  objectColumns(table: Table): Table;
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  const sqlite = dialect === 'sqlite';
  const types = {
    timestamp: sqlite ? ('text' as const) : ('timestamptz' as const),
    json: sqlite ? ('text' as const) : ('jsonb' as const),
    bool: sqlite ? ('integer' as const) : ('boolean' as const),
  };
  const id = (table: Table): Table =>
    table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
    );
  return {
    ...types,
    id,
    objectColumns: (table) =>
      id(table)
        .addColumn('created', types.timestamp, (c) => c.notNull())
        .addColumn('last_updated', types.timestamp, (c) => c.notNull())
        .addColumn('tags', types.json, (c) => c.notNull())
        .addColumn('custom_fields', types.json, (c) => c.notNull()),
  };
}

import type { Db } from './database.js';

/**
 * The columns every object of the NetBox model starts with: created and last updated `now`, no
 * tags, no custom fields.
 */
export function newObjectColumns(now: string): Record<string, string> {
  return { created: now, last_updated: now, tags: '[]', custom_fields: '{}' };
}

/** Inserts an object created `now` into `table` (`values` and newObjectColumns); its id. */
export async function insertNewObject(
  tx: Db,
  table: string,
  now: string,
  values: Record<string, unknown>,
): Promise<number> {
  const row = await tx
    .insertInto(table)
    .values({ ...values, ...newObjectColumns(now) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

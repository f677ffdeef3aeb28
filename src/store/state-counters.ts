import { sql } from 'kysely';

import type { Db } from './database.js';
import type { StateCounter } from './resource-spec.js';

/**
 * Change counters in the one-row automation_state table. A write that changes what an
 * in-memory index mirrors bumps its counter in the same transaction; a process that finds the
 * counter moved reloads. This works the same for a second process (the CLI) and for replicas.
 */
export async function bumpCounter(tx: Db, counter: StateCounter): Promise<void> {
  await tx
    .updateTable('automation_state')
    .set({ [counter]: sql`${sql.ref(counter)} + 1` })
    .where('id', '=', 1)
    .execute();
}

export async function readCounters(ex: Db): Promise<Record<StateCounter, number>> {
  const row = await ex
    .selectFrom('automation_state')
    .select(['topology_version', 'incident_version'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return {
    topology_version: Number(row.topology_version),
    incident_version: Number(row.incident_version),
  };
}

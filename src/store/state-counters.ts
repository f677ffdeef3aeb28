import { sql } from 'kysely';

import type { Db } from './database.js';
import { PreparedQuery } from './prepared-query.js';
import type { StateCounter } from './resource-spec.js';

const bump = (counter: StateCounter) =>
  new PreparedQuery<[]>(0, (db) =>
    db
      .updateTable('automation_state')
      .set({ [counter]: sql`${sql.ref(counter)} + 1` })
      .where('id', '=', 1),
  );

/** Every decision transaction bumps and reads these: built and compiled once. */
const BUMP: Record<StateCounter, PreparedQuery<[]>> = {
  topology_version: bump('topology_version'),
  incident_version: bump('incident_version'),
};

const READ = new PreparedQuery<[]>(0, (db) =>
  db
    .selectFrom('automation_state')
    .select(['topology_version', 'incident_version'])
    .where('id', '=', 1),
);

/**
 * Change counters in the one-row automation_state table. A write that changes what an
 * in-memory index mirrors bumps its counter in the same transaction; a process that finds the
 * counter moved reloads. This works the same for a second process (the CLI) and for replicas.
 */
export async function bumpCounter(tx: Db, counter: StateCounter): Promise<void> {
  await BUMP[counter].execute(tx, []);
}

export async function readCounters(ex: Db): Promise<Record<StateCounter, number>> {
  const [row] = await READ.rows(ex, []);
  if (row === undefined) throw new Error('automation_state has no row');
  return {
    topology_version: Number(row.topology_version),
    incident_version: Number(row.incident_version),
  };
}

import type { Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';

/** What a follow-up to an alert (a resolve, an acknowledge) needs of the stored event. */
export interface StoredAlert {
  readonly id: number;
  readonly status: string;
  readonly message: string;
  readonly criticality: Severity;
}

/** The event of the alert `dedupId` from the source named `sourceName`, if stored. */
export async function findAlertBySourceName(
  ex: Db,
  sourceName: string,
  dedupId: string,
): Promise<StoredAlert | null> {
  const row = await ex
    .selectFrom('events as e')
    .innerJoin('event_sources as s', 's.id', 'e.event_source_id')
    .select(['e.id', 'e.status', 'e.message', 'e.criticality'])
    .where('s.name', '=', sourceName)
    .where('e.dedup_id', '=', dedupId)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    id: Number(row.id),
    status: String(row.status),
    message: String(row.message),
    criticality: row.criticality as Severity,
  };
}

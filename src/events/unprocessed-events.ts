import type { ExpressionBuilder } from 'kysely';

import { SEVERITIES, type Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';

/** The table holding each kind of event target. */
const TARGET_TABLES = {
  device: 'devices',
  virtual_machine: 'virtual_machines',
  cluster: 'clusters',
  technical_service: 'technical_services',
} as const;

/** Criticalities at or above the minimum the automation requires. */
export function severitiesFrom(minimum: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(minimum));
}

export interface UnprocessedFilter {
  /** Events created at or after this time (ISO 8601). */
  readonly since: string;
  readonly minimumSeverity: Severity;
}

export interface UnprocessedEvent {
  readonly id: number;
  readonly message: string;
  readonly createdAt: string;
}

// The query builder is typed loosely over this schema; `any` keeps the predicate reusable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, 'events'>;

/** The event's target exists now. */
function targetExists(eb: Eb) {
  return eb.or(
    Object.entries(TARGET_TABLES).map(([type, table]) =>
      eb.and([
        eb('events.object_type', '=', type),
        eb.exists(
          eb
            .selectFrom(table)
            .select(`${table}.id`)
            .whereRef(`${table}.id`, '=', 'events.object_id'),
        ),
      ]),
    ),
  );
}

/**
 * Events the automation would process and has not: firing (triggered), in no incident, created
 * in the window, with a target that exists and a criticality at or above the minimum. Events
 * that arrived while automatic processing was off, or whose processing failed, are such.
 */
function unprocessed(ex: Db, filter: UnprocessedFilter) {
  return ex
    .selectFrom('events')
    .where('events.status', '=', 'triggered')
    .where('events.created_at', '>=', filter.since)
    .where('events.criticality', 'in', severitiesFrom(filter.minimumSeverity))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('incident_events')
            .select('incident_events.event_id')
            .whereRef('incident_events.event_id', '=', 'events.id'),
        ),
      ),
    )
    .where((eb) => targetExists(eb as Eb));
}

export async function countUnprocessed(ex: Db, filter: UnprocessedFilter): Promise<number> {
  const row = await unprocessed(ex, filter)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Unprocessed events, oldest first; at most `limit` of them when given. */
export async function listUnprocessed(
  ex: Db,
  filter: UnprocessedFilter,
  limit?: number,
): Promise<UnprocessedEvent[]> {
  let query = unprocessed(ex, filter)
    .select(['events.id', 'events.message', 'events.created_at'])
    .orderBy('events.created_at')
    .orderBy('events.id');
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    message: String(r.message),
    createdAt: String(r.created_at),
  }));
}

/** Unprocessed events taken for a batch, and how many the window holds in all. */
export interface UnprocessedBatch {
  readonly events: UnprocessedEvent[];
  readonly total: number;
}

/** Unprocessed events, oldest first (at most `limit`), and how many there are in all. */
export async function findUnprocessed(
  ex: Db,
  filter: UnprocessedFilter,
  limit?: number,
): Promise<UnprocessedBatch> {
  const events = await listUnprocessed(ex, filter, limit);
  const capped = limit !== undefined && events.length >= limit;
  return { events, total: capped ? await countUnprocessed(ex, filter) : events.length };
}

/** Every firing event created since `since`, oldest first, and whether an incident holds it. */
export async function listTriggered(
  ex: Db,
  since: string,
): Promise<Array<UnprocessedEvent & { linked: boolean }>> {
  const rows = await ex
    .selectFrom('events')
    .select(['events.id', 'events.message', 'events.created_at'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('incident_events')
            .select('incident_events.event_id')
            .whereRef('incident_events.event_id', '=', 'events.id'),
        )
        .as('linked'),
    )
    .where('events.status', '=', 'triggered')
    .where('events.created_at', '>=', since)
    .orderBy('events.created_at')
    .orderBy('events.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    message: String(r.message),
    createdAt: String(r.created_at),
    linked: r.linked === true || Number(r.linked) === 1,
  }));
}

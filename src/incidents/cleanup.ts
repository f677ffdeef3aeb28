import { sql } from 'kysely';

import { inSlices, type Db } from '../store/database.js';
import { AUTOMATION_ACTOR, addTimelineEntries } from './timeline.js';

/** An incident a cleanup changes or removes. */
export interface CleanupItem {
  readonly id: number;
  readonly title: string;
  readonly resolved_at: string | null;
}

/** What a cleanup changes: each list is what moves (or goes) in that step. */
export interface CleanupPlan {
  /** The cut-off: only incidents (and events) older than this are touched. */
  readonly before: string;
  /** Monitoring incidents whose alerts cleared before the cut-off: they become resolved. */
  readonly resolve: CleanupItem[];
  /** Resolved incidents resolved before the cut-off: they become closed. */
  readonly close: CleanupItem[];
  /**
   * With purge: incidents already closed when the run starts that ended before the cut-off are
   * deleted. Those this run closes stay until a later run: each incident moves one step a run.
   */
  readonly purgeIncidents: CleanupItem[];
  /** With purge: cleared events last seen before the cut-off that no open incident holds go. */
  readonly purgeEvents: boolean;
}

/** When an incident ended: its resolution time, or its last change when none was recorded. */
const endedAt = sql<string>`coalesce(resolved_at, last_updated)`;

async function incidentsEndedBefore(
  ex: Db,
  statuses: readonly string[],
  before: string,
): Promise<CleanupItem[]> {
  const rows = await ex
    .selectFrom('incidents')
    .select(['id', 'title', 'resolved_at'])
    .where('status', 'in', [...statuses])
    .where(endedAt, '<', before)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    title: String(r.title),
    resolved_at: r.resolved_at === null ? null : String(r.resolved_at),
  }));
}

/**
 * Cleared events last seen before the cut-off that no incident still in play holds (any status
 * but closed: a resolved incident keeps its events until it closes).
 */
function purgeableEvents(ex: Db, before: string) {
  return ex
    .selectFrom('events')
    .where('events.status', '=', 'ok')
    .where('events.last_seen_at', '<', before)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('incident_events as ie')
            .innerJoin('incidents as i', 'i.id', 'ie.incident_id')
            .select('ie.event_id')
            .whereRef('ie.event_id', '=', 'events.id')
            .where('i.status', '<>', 'closed'),
        ),
      ),
    );
}

/** What a cleanup with this cut-off would do (nothing is changed). */
export async function planCleanup(ex: Db, before: string, purge: boolean): Promise<CleanupPlan> {
  const resolve = await incidentsEndedBefore(ex, ['monitoring'], before);
  const close = await incidentsEndedBefore(ex, ['resolved'], before);
  if (!purge) return { before, resolve, close, purgeIncidents: [], purgeEvents: false };
  const purgeIncidents = await incidentsEndedBefore(ex, ['closed'], before);
  return { before, resolve, close, purgeIncidents, purgeEvents: true };
}

async function moveStatus(
  tx: Db,
  items: readonly CleanupItem[],
  from: string,
  to: string,
  now: string,
): Promise<void> {
  for (const slice of inSlices(items.map((i) => i.id))) {
    await tx
      .updateTable('incidents')
      .set({ status: to, last_updated: now })
      .where('id', 'in', slice)
      .where('status', '=', from)
      .execute();
  }
  for (const item of items) {
    await addTimelineEntries(tx, item.id, [
      {
        at: now,
        actor: AUTOMATION_ACTOR,
        kind: 'cleanup',
        message: `Cleanup: ${from} → ${to} (ended ${item.resolved_at ?? 'before the cut-off'})`,
        detail: { from, to },
      },
    ]);
  }
}

/** Deletes the plan's closed incidents and cleared events; returns how many events went. */
async function purge(tx: Db, plan: CleanupPlan): Promise<number> {
  for (const slice of inSlices(plan.purgeIncidents.map((i) => i.id))) {
    await tx.deleteFrom('incidents').where('id', 'in', slice).execute();
  }
  if (!plan.purgeEvents) return 0;
  const deleted = await tx
    .deleteFrom('events')
    .where('id', 'in', purgeableEvents(tx, plan.before).select('events.id'))
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/**
 * Applies a cleanup plan inside the caller's transaction: with purge the old closed incidents
 * and cleared events are deleted, then monitoring → resolved and resolved → closed. Returns how
 * many events were deleted.
 */
export async function applyCleanup(tx: Db, plan: CleanupPlan, now: string): Promise<number> {
  // Purge first: it acts on the incidents as the run found them, so the events of an incident
  // this run closes stay with it.
  const deleted = await purge(tx, plan);

  await moveStatus(tx, plan.resolve, 'monitoring', 'resolved', now);
  await moveStatus(tx, plan.close, 'resolved', 'closed', now);
  return deleted;
}

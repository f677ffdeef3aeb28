import type { Db } from '../store/database.js';
import { PreparedQuery } from '../store/prepared-query.js';

export const AUTOMATION_ACTOR = 'Auto-Incident System';

export type TimelineKind =
  | 'opened'
  | 'event_joined'
  | 'severity_raised'
  | 'services_added'
  | 'auto_resolved'
  | 'reopened'
  | 'status_changed'
  | 'title_changed'
  | 'merged'
  | 'absorbed'
  | 'split'
  | 'regrouped'
  | 'cleanup';

export interface TimelineEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: TimelineKind;
  readonly message: string;
  readonly detail: Record<string, unknown>;
}

export interface NewTimelineEntry {
  readonly at: string;
  readonly actor: string;
  readonly kind: TimelineKind;
  readonly message: string;
  readonly detail?: Record<string, unknown>;
}

const INSERT_ONE = new PreparedQuery<[number, string, string, string, string, string]>(
  6,
  (db, [incident, at, actor, kind, message, detail]) =>
    db.insertInto('incident_timeline').values({
      incident_id: incident!,
      at: at!,
      actor: actor!,
      kind: kind!,
      message: message!,
      detail: detail!,
    }),
);

export async function addTimelineEntries(
  tx: Db,
  incidentId: number,
  entries: readonly NewTimelineEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length === 1) {
    const [e] = entries as [NewTimelineEntry];
    const detail = JSON.stringify(e.detail ?? {});
    await INSERT_ONE.defer(tx, [incidentId, e.at, e.actor, e.kind, e.message, detail]);
    return;
  }
  await tx
    .insertInto('incident_timeline')
    .values(
      entries.map((e) => ({
        incident_id: incidentId,
        at: e.at,
        actor: e.actor,
        kind: e.kind,
        message: e.message,
        detail: JSON.stringify(e.detail ?? {}),
      })),
    )
    .execute();
}

/** The timeline of an incident, oldest first. */
export async function readTimeline(ex: Db, incidentId: number): Promise<TimelineEntry[]> {
  const rows = await ex
    .selectFrom('incident_timeline')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: String(r.at),
    actor: String(r.actor),
    kind: r.kind as TimelineKind,
    message: String(r.message),
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<
      string,
      unknown
    >,
  }));
}

import type { Db } from '../store/database.js';

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

export async function addTimelineEntries(
  tx: Db,
  incidentId: number,
  entries: readonly NewTimelineEntry[],
): Promise<void> {
  if (entries.length === 0) return;
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

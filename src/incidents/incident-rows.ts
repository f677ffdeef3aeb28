import type { Db } from '../store/database.js';
import { insertNewObject } from '../store/new-object.js';
import type { DecidedEvent } from './incident-store.js';
import { AUTOMATION_ACTOR } from './timeline.js';

/** The infrastructure groups stored on an incident row. */
export function parseGroups(raw: unknown): Array<Set<number>> {
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  return Array.isArray(value) ? value.map((g) => new Set<number>(g as number[])) : [];
}

/** Infrastructure groups as stored on an incident row. */
export const groupsJson = (groups: ReadonlyArray<ReadonlySet<number>>) =>
  JSON.stringify(groups.map((g) => [...g]));

/** Inserts the row of an automatically opened incident; returns its id. */
export async function insertIncident(
  tx: Db,
  args: { event: DecidedEvent; title: string; groups: Array<Set<number>>; now: string },
): Promise<number> {
  const { event, title, groups, now } = args;
  return insertNewObject(tx, 'incidents', now, {
    title,
    description: `Auto-generated incident from event: ${event.message}`,
    status: 'new',
    severity: event.criticality,
    detected_at: event.time,
    resolved_at: null,
    reporter: AUTOMATION_ACTOR,
    commander: '',
    responders: '[]',
    auto_created: 1,
    infra_groups: groupsJson(groups),
    title_auto: 1,
    last_event_at: event.time,
  });
}

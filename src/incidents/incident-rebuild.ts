import type { Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';
import { incidentStateOf } from './active-incidents.js';
import type { IncidentState } from './incident-index.js';
import { LINKS, insertLinks } from './incident-links.js';
import type { DecidedEvent, IncidentStore } from './incident-store.js';
import { rank } from './severity-raise.js';
import { AUTOMATION_ACTOR, addTimelineEntries } from './timeline.js';

/** Re-forms an incident emptied for re-correlation around `event`, its first event now. */
export async function reformIncident(
  store: IncidentStore,
  tx: Db,
  id: number,
  event: DecidedEvent,
  now: string,
): Promise<IncidentState> {
  const row = await tx.selectFrom('incidents').selectAll().where('id', '=', id).execute();
  const state = incidentStateOf(row[0]!);
  state.severity = event.criticality;
  state.lastEventAt = Date.parse(event.time);
  await insertLinks(tx, 'incident_events', 'event_id', id, [event.id]);
  await store.unionScope(tx, state, event.scope);
  if (event.scope.group !== null) await store.addGroups(tx, state, [new Set(event.scope.group)]);
  const changes: Record<string, unknown> = {
    severity: event.criticality,
    last_event_at: event.time,
    last_updated: now,
  };
  await store.followRootCauses(tx, state, event.message, changes);
  await tx.updateTable('incidents').set(changes).where('id', '=', id).execute();
  await addTimelineEntries(tx, id, [
    {
      at: now,
      actor: AUTOMATION_ACTOR,
      kind: 'regrouped',
      message: `Re-formed around event ${event.id}: ${event.message}`,
      detail: { event_id: event.id, root_cause_service_ids: state.rootCauses },
    },
  ]);
  return state;
}

/** Forgets an incident's services, devices, VMs, groups and root causes. */
export async function clearIncidentScope(tx: Db, id: number): Promise<void> {
  for (const [table] of LINKS) await tx.deleteFrom(table).where('incident_id', '=', id).execute();
  await tx.deleteFrom('incident_root_causes').where('incident_id', '=', id).execute();
  await tx.updateTable('incidents').set({ infra_groups: '[]' }).where('id', '=', id).execute();
}

/**
 * Rebuilds an incident from the events it keeps after others were taken out for
 * re-correlation: services, devices, VMs, groups, root causes, severity and latest event.
 */
export async function rebuildIncident(
  store: IncidentStore,
  tx: Db,
  id: number,
  kept: readonly DecidedEvent[],
  taken: readonly number[],
): Promise<void> {
  const now = store.clock.now().toISOString();
  await clearIncidentScope(tx, id);
  const row = await tx.selectFrom('incidents').selectAll().where('id', '=', id).execute();
  const state = incidentStateOf(row[0]!);
  let severity: Severity = 'low';
  let latest: DecidedEvent | null = null;
  for (const event of kept) {
    await store.unionScope(tx, state, event.scope);
    if (event.scope.group !== null) await store.addGroups(tx, state, [new Set(event.scope.group)]);
    if (rank(event.criticality) > rank(severity)) severity = event.criticality;
    if (latest === null || Date.parse(event.time) > Date.parse(latest.time)) latest = event;
  }
  const changes: Record<string, unknown> = { last_updated: now };
  if (latest !== null) {
    changes.severity = severity;
    changes.last_event_at = latest.time;
  }
  await store.followRootCauses(tx, state, latest?.message ?? state.title, changes);
  await tx.updateTable('incidents').set(changes).where('id', '=', id).execute();
  await addTimelineEntries(tx, id, [
    {
      at: now,
      actor: AUTOMATION_ACTOR,
      kind: 'regrouped',
      message: `Events ${taken.join(', ')} taken out for re-correlation`,
      detail: { event_ids: taken },
    },
  ]);
}

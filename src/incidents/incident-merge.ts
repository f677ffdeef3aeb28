import { SEVERITIES } from '../config/settings.js';
import type { Db } from '../store/database.js';
import type { IncidentState } from './incident-index.js';
import type { IncidentStore } from './incident-store.js';
import { AUTOMATION_ACTOR, addTimelineEntries } from './timeline.js';

/**
 * Merges `from` into `into`: a later alert showed that both are one failure. The events move,
 * the services, devices and VMs are united, severity and root causes follow, and `from`
 * closes as "merged into #N"; both timelines say so.
 */
export async function mergeIncidents(
  tx: Db,
  store: IncidentStore,
  into: IncidentState,
  from: IncidentState,
  eventId: number,
): Promise<void> {
  const now = store.clock.now().toISOString();
  const moved = await moveEvents(tx, from.id, into.id);

  const scope = {
    services: [...from.services],
    context: [...from.context],
    group: null,
    devices: [...from.devices],
    vms: [...from.vms],
  };
  await store.unionScope(tx, into, scope);
  await store.addGroups(tx, into, from.groups);
  const changes: Record<string, unknown> = { last_updated: now };
  if (SEVERITIES.indexOf(from.severity) > SEVERITIES.indexOf(into.severity)) {
    into.severity = from.severity;
    changes.severity = from.severity;
  }
  if (from.lastEventAt > into.lastEventAt) {
    into.lastEventAt = from.lastEventAt;
    changes.last_event_at = new Date(from.lastEventAt).toISOString();
  }
  await store.followRootCauses(tx, into, from.title, changes);
  await tx.updateTable('incidents').set(changes).where('id', '=', into.id).execute();

  await tx
    .updateTable('incidents')
    .set({ status: 'closed', resolved_at: now, merged_into_id: into.id, last_updated: now })
    .where('id', '=', from.id)
    .execute();
  from.status = 'closed';

  const detail = { event_id: eventId, merged_into: into.id, absorbed: from.id };
  const actor = AUTOMATION_ACTOR;
  await addTimelineEntries(tx, from.id, [
    {
      at: now,
      actor,
      kind: 'merged',
      message: `Merged into #${into.id} (event ${eventId})`,
      detail,
    },
  ]);
  await addTimelineEntries(tx, into.id, [
    {
      at: now,
      actor,
      kind: 'absorbed',
      message: `Absorbed #${from.id} with ${moved} events (event ${eventId})`,
      detail,
    },
  ]);
}

/** Moves the events of one incident to another; returns how many there were. */
async function moveEvents(tx: Db, from: number, into: number): Promise<number> {
  const events = await tx
    .selectFrom('incident_events')
    .select('event_id')
    .where('incident_id', '=', from)
    .execute();
  if (events.length === 0) return 0;
  await tx
    .insertInto('incident_events')
    .values(events.map((e) => ({ incident_id: into, event_id: e.event_id })))
    .onConflict((oc) => oc.columns(['incident_id', 'event_id']).doNothing())
    .execute();
  await tx.deleteFrom('incident_events').where('incident_id', '=', from).execute();
  return events.length;
}

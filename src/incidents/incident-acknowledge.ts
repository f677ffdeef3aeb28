import type { Db } from '../store/database.js';
import type { AutomationIndexes } from './automation-indexes.js';
import { addTimelineEntries } from './timeline.js';

/** Someone acknowledged an alert: who, when, and which event. */
export interface Acknowledgement {
  readonly incidentIds: readonly number[];
  readonly eventId: number;
  /** Who acknowledged, as the timeline shows it. */
  readonly actor: string;
  readonly now: string;
}

/**
 * Moves those of the incidents still `new` to `investigating`, with a timeline entry each: a
 * person is on it. Incidents already further along keep their status. Call inside a decision
 * (pipeline.run) so that the in-memory index follows. Returns the incidents moved.
 */
export async function acknowledgeIncidents(
  tx: Db,
  indexes: AutomationIndexes,
  ack: Acknowledgement,
): Promise<number[]> {
  if (ack.incidentIds.length === 0) return [];
  const rows = await tx
    .selectFrom('incidents')
    .select('id')
    .where('id', 'in', [...ack.incidentIds])
    .where('status', '=', 'new')
    .execute();
  const moved = rows.map((r) => Number(r.id));
  if (moved.length === 0) return [];

  await tx
    .updateTable('incidents')
    .set({ status: 'investigating', last_updated: ack.now })
    .where('id', 'in', moved)
    .execute();
  for (const id of moved) {
    await addTimelineEntries(tx, id, [
      {
        at: ack.now,
        actor: ack.actor,
        kind: 'status_changed',
        message: `Status changed from new to investigating: event ${ack.eventId} acknowledged`,
        detail: { from: 'new', to: 'investigating', event_id: ack.eventId },
      },
    ]);
    const state = indexes.incidents.incidents.get(id);
    if (state !== undefined) state.status = 'investigating';
  }
  indexes.markIncidentsChanged();
  return moved;
}

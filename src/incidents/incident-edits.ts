import type { UpdateContext } from '../store/resource-spec.js';
import { OPEN_INCIDENT_STATUSES, type IncidentStatus } from './incident-spec.js';
import { addTimelineEntries, type NewTimelineEntry } from './timeline.js';

const isOpen = (status: unknown) => OPEN_INCIDENT_STATUSES.includes(status as IncidentStatus);

/**
 * What follows when a person edits an incident through the API: a title they wrote is kept from
 * then on; a status change goes on the timeline and keeps resolved_at consistent.
 */
export async function afterIncidentEdit(context: UpdateContext): Promise<void> {
  const { tx, existing, values, now, actor } = context;
  const entries: NewTimelineEntry[] = [];
  const changes: Record<string, unknown> = {};

  if (values.title !== undefined && values.title !== existing.title) {
    changes.title_auto = 0;
    entries.push({
      at: now,
      actor,
      kind: 'title_changed',
      message: `Title changed to: ${String(values.title)}`,
    });
  }

  const status = values.status;
  if (status !== undefined && status !== existing.status) {
    entries.push({
      at: now,
      actor,
      kind: 'status_changed',
      message: `Status changed from ${String(existing.status)} to ${String(status)}`,
      detail: { from: existing.status, to: status },
    });
    if (isOpen(status) && values.resolved_at === undefined) changes.resolved_at = null;
    const resolving = status === 'resolved' || status === 'closed';
    if (resolving && values.resolved_at === undefined && existing.resolved_at == null) {
      changes.resolved_at = now;
    }
    changes.status_before_resolve = null;
  }

  if (Object.keys(changes).length > 0) {
    await tx.updateTable('incidents').set(changes).where('id', '=', existing.id).execute();
  }
  await addTimelineEntries(tx, existing.id, entries);
}

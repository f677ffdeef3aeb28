import type { NotificationAction } from '../config/settings.js';
import type { ChangeEntry, IncidentChange } from '../incidents/incident-changes.js';

/** Statuses in which an incident is over: its alerts cleared, or a person ended it. */
const ENDED: readonly string[] = ['monitoring', 'resolved', 'closed'];

/** What one transaction's changes to an incident are told as. */
export interface IncidentNotice {
  readonly incidentId: number;
  /** In order; at most one `updated`, and never next to another action. */
  readonly actions: readonly NotificationAction[];
  /** A person took the incident on (new → investigating or identified): PagerDuty's ack. */
  readonly acknowledged: boolean;
}

/**
 * A status change as an action: from an open status into an ended one resolves, out of an ended
 * one reopens. A move between ended statuses (monitoring → resolved → closed) is an update:
 * receivers heard `resolved` once, when the incident stopped being open.
 */
function statusAction(from: unknown, to: unknown): NotificationAction {
  const wasEnded = ENDED.includes(String(from));
  const isEnded = ENDED.includes(String(to));
  if (isEnded && !wasEnded) return 'resolved';
  if (wasEnded && !isEnded) return 'reopened';
  return 'updated';
}

/** The action a timeline entry stands for; null for the one that only repeats a creation. */
export function entryAction(entry: ChangeEntry): NotificationAction | null {
  switch (entry.kind) {
    case 'opened':
      return null;
    case 'auto_resolved':
    case 'merged':
      return 'resolved';
    case 'reopened':
      return 'reopened';
    case 'status_changed':
    case 'cleanup':
      return statusAction(entry.detail.from, entry.detail.to);
    default:
      return 'updated';
  }
}

const takenOn = (entry: ChangeEntry) =>
  entry.kind === 'status_changed' &&
  entry.detail.from === 'new' &&
  (entry.detail.to === 'investigating' || entry.detail.to === 'identified');

/**
 * Coalesces what one transaction did to an incident into the actions to notify: `created` for
 * an incident it opened (and `resolved` too if it ended the same moment); otherwise the last
 * change of life (resolved or reopened); otherwise one `updated` however many ways it changed.
 */
export function noticeOf(change: IncidentChange, finalStatus: string): IncidentNotice {
  const mapped = change.entries.map(entryAction).filter((a): a is NotificationAction => a !== null);
  const lifecycle = mapped.filter((a) => a !== 'updated');
  let actions: NotificationAction[];
  if (change.created) {
    actions = ENDED.includes(finalStatus) ? ['created', 'resolved'] : ['created'];
  } else if (lifecycle.length > 0) {
    actions = [lifecycle[lifecycle.length - 1]!];
  } else {
    actions = mapped.length > 0 ? ['updated'] : [];
  }
  return {
    incidentId: change.incidentId,
    actions,
    acknowledged: change.entries.some(takenOn),
  };
}

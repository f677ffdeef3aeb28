import { SEVERITIES, type Severity } from '../config/settings.js';
import type { IncidentState } from './incident-index.js';
import { AUTOMATION_ACTOR, type NewTimelineEntry } from './timeline.js';

/** Position of a severity, least severe first. */
export const rank = (s: Severity) => SEVERITIES.indexOf(s);

/**
 * The timeline entry of raising the incident to `criticality`, applied to `state`; null when
 * that is not more severe (severity never falls).
 */
export function severityRaise(
  state: IncidentState,
  criticality: Severity,
  eventId: number,
  at: string,
): NewTimelineEntry | null {
  if (rank(criticality) <= rank(state.severity)) return null;
  const message = `Severity raised from ${state.severity} to ${criticality}`;
  const detail = { event_id: eventId, from: state.severity, to: criticality };
  state.severity = criticality;
  return { at, actor: AUTOMATION_ACTOR, kind: 'severity_raised', message, detail };
}

import type {
  CorrelationSettings,
  EventFacts,
  IncidentView,
  ScoredCandidate,
} from './correlation-types.js';
import { scoreIncident, type CorrelationRule } from './scoring.js';

const MINUTE_MS = 60_000;

/** The incident chosen for an event, or none, with every candidate's score, best first. */
export interface Choice {
  readonly chosen: ScoredCandidate | null;
  /** The incident chosen is in monitoring and comes back (reopen). */
  readonly reopens: boolean;
  readonly ranked: readonly ScoredCandidate[];
}

/**
 * A monitoring incident takes events only while its automatic resolution is recent: within the
 * correlation window of the event's time.
 */
function eligible(event: EventFacts, incident: IncidentView, windowMinutes: number): boolean {
  if (incident.status !== 'monitoring') return true;
  if (incident.resolvedAt === null) return false;
  return event.time - incident.resolvedAt <= windowMinutes * MINUTE_MS;
}

const closer = (a: number, b: number) => (a === b ? 0 : a < b ? -1 : 1);

/**
 * Scores every candidate and picks the best at or above the threshold; ties go to the incident
 * with the most recent activity, then to the newer incident.
 */
export function chooseIncident(
  event: EventFacts,
  candidates: Iterable<IncidentView>,
  rule: CorrelationRule,
  settings: CorrelationSettings,
): Choice {
  const scored: Array<[ScoredCandidate, IncidentView]> = [];
  for (const incident of candidates) {
    if (!eligible(event, incident, settings.windowMinutes)) continue;
    scored.push([scoreIncident(event, incident, rule, settings), incident]);
  }
  // Ties go to the closer relation, then to the most recent activity, then to the newer.
  scored.sort(
    ([a, ai], [b, bi]) =>
      b.score - a.score ||
      closer(a.distance, b.distance) ||
      bi.lastEventAt - ai.lastEventAt ||
      bi.id - ai.id,
  );

  const best = scored[0];
  const chosen = best !== undefined && best[0].score >= settings.threshold ? best : undefined;
  return {
    chosen: chosen?.[0] ?? null,
    reopens: chosen?.[1].status === 'monitoring',
    ranked: scored.map(([candidate]) => candidate),
  };
}

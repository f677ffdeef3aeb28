import type { DependencyView } from '../topology/topology-index.js';
import type { IncidentView } from './correlation-types.js';
import type { FaultlineRule } from './faultline-rule.js';
import { FULL_CAUSE_SHARE } from './weights.js';
import { bestHypothesis, combineEvidence } from './hypothesis.js';

const MINUTE_MS = 60_000;

/**
 * Two open incidents are one failure when they share a service, or when one service explains
 * the alerting services of both: an alerting one, or a silent one at least half of whose direct
 * dependents fail (over every open incident; see FailingDependents). Only incidents active
 * within the window of `time` are merged.
 */
/** Whether `b` was active within the window of `time`, as merging asks first. */
export function withinMergeWindow(b: IncidentView, time: number, windowMinutes: number): boolean {
  return time - b.lastEventAt <= windowMinutes * MINUTE_MS;
}

export function explainedTogether(
  rule: FaultlineRule,
  graph: DependencyView,
  a: IncidentView,
  b: IncidentView,
  time: number,
  windowMinutes: number,
): boolean {
  if (!withinMergeWindow(b, time, windowMinutes)) return false;
  const alertingB = [...b.services].filter((s) => !b.context.has(s));
  for (const service of alertingB) {
    if (a.services.has(service) && !a.context.has(service)) return true;
  }
  const best = bestHypothesis(
    combineEvidence(rule.evidenceOf(a), rule.evidenceOf(b), graph),
    graph,
  );
  if (best === undefined) return false;
  if (best.alerting) return true;
  const share = Math.max(best.share, rule.globalShare(best.root));
  return share >= FULL_CAUSE_SHARE;
}

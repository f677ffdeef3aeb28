import type { DependencyView } from '../topology/topology-index.js';

/** Share of a silent cause's direct dependents that must fail for it to count fully. */
export const FULL_CAUSE_SHARE = 0.5;

/**
 * Fewest alerting direct dependents that show a silent service failing: one alert alone may be
 * that dependent's own failure (the same test a failing host or cluster passes).
 */
export const SHOWN_FAILING_MIN = 2;

/** What alerts, as seen from one incident's evidence or over every open incident. */
export interface AlertingView {
  isAlerting(service: number): boolean;
  /** Direct dependents of `service` that alert. */
  alertingDependentsOf(service: number): number;
}

/**
 * The direct dependents of a cause that fail. A dependent fails when it alerts, or when it is
 * silent but its own direct dependents show it failing: at least two of them, and at least
 * half, alert. A failure two levels up often takes its dependents down silently and only their
 * dependents alert; one level only, so that every count is a look at two levels of the map.
 */
export interface FailingDependents {
  readonly total: number;
  readonly alerting: number;
  /** Silent dependents shown failing by their own dependents. */
  readonly shown: readonly number[];
}

/** Whether a silent service's own direct dependents show it failing (see FailingDependents). */
export function shownFailing(service: number, view: AlertingView, graph: DependencyView): boolean {
  const dependents = graph.service(service)?.downstream.length ?? 0;
  const alerting = view.alertingDependentsOf(service);
  return alerting >= SHOWN_FAILING_MIN && alerting >= dependents * FULL_CAUSE_SHARE;
}

export function failingDependents(
  cause: number,
  view: AlertingView,
  graph: DependencyView,
): FailingDependents {
  const dependents = graph.service(cause)?.downstream ?? [];
  let alerting = 0;
  const shown: number[] = [];
  for (const edge of dependents) {
    if (view.isAlerting(edge.service)) alerting++;
    else if (shownFailing(edge.service, view, graph)) shown.push(edge.service);
  }
  return { total: dependents.length, alerting, shown };
}

/** Share of the cause's direct dependents that fail (0 without dependents). */
export function failingShare(failing: FailingDependents): number {
  return failing.total === 0 ? 0 : (failing.alerting + failing.shown.length) / failing.total;
}

/** The view of a set of alerting services (an incident's evidence, perhaps extended). */
export function viewOf(alerting: { has(service: number): boolean }, graph: DependencyView) {
  return {
    isAlerting: (service: number) => alerting.has(service),
    alertingDependentsOf: (service: number) => {
      let count = 0;
      for (const edge of graph.service(service)?.downstream ?? []) {
        if (alerting.has(edge.service)) count++;
      }
      return count;
    },
  } satisfies AlertingView;
}

/** ` or fail silently (a, b: their own dependents alert)`, to follow "N of whose M alert". */
export function describeShown(shown: readonly number[], graph: DependencyView): string {
  if (shown.length === 0) return '';
  const names = shown.slice(0, 3).map((s) => graph.service(s)?.name ?? `#${s}`);
  const more = shown.length > 3 ? ` and ${shown.length - 3} more` : '';
  const whose = shown.length === 1 ? 'its own dependents alert' : 'their own dependents alert';
  return ` or fail silently (${names.join(', ')}${more}: ${whose})`;
}

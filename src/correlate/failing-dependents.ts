import type { DependencyView } from '../topology/topology-index.js';
import { FULL_CAUSE_SHARE, SHOWN_FAILING_MIN } from './weights.js';

/**
 * What alerts, as seen from one incident's evidence or over every open incident. Every answer
 * is a lookup, never a walk: a broad upstream with thousands of dependents costs what a leaf
 * costs.
 */
export interface FailingView {
  isAlerting(service: number): boolean;
  /** Direct dependents of `service` that alert. */
  alertingDependentsOf(service: number): number;
  /** Silent direct dependents of `service` that their own dependents show failing. */
  shownDependentsOf(service: number): readonly number[];
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

/**
 * Whether a silent service with `alerting` of its direct dependents alerting is shown failing
 * by them (see FailingDependents).
 */
export function shownFailing(service: number, alerting: number, graph: DependencyView): boolean {
  const dependents = graph.service(service)?.downstream.length ?? 0;
  return alerting >= SHOWN_FAILING_MIN && alerting >= dependents * FULL_CAUSE_SHARE;
}

export function failingDependents(
  cause: number,
  view: FailingView,
  graph: DependencyView,
): FailingDependents {
  return {
    total: graph.service(cause)?.downstream.length ?? 0,
    alerting: view.alertingDependentsOf(cause),
    shown: view.shownDependentsOf(cause),
  };
}

/** Share of the cause's direct dependents that fail (0 without dependents). */
export function failingShare(failing: FailingDependents): number {
  return failing.total === 0 ? 0 : (failing.alerting + failing.shown.length) / failing.total;
}

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function append(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const NONE: readonly number[] = [];

/** The silent services among `candidates` shown failing, listed under each direct upstream. */
function shownByUpstream(
  candidates: Iterable<number>,
  isShown: (service: number) => boolean,
  graph: DependencyView,
): Map<number, number[]> {
  const byUpstream = new Map<number, number[]>();
  for (const service of candidates) {
    if (!isShown(service)) continue;
    for (const edge of graph.service(service)?.upstream ?? []) {
      append(byUpstream, edge.service, service);
    }
  }
  return byUpstream;
}

/** Alerting direct dependents of each service, counted from the alerting services. */
function dependentCounts(alerting: Iterable<number>, graph: DependencyView): Map<number, number> {
  const counts = new Map<number, number>();
  for (const service of alerting) {
    for (const edge of graph.service(service)?.upstream ?? []) bump(counts, edge.service);
  }
  return counts;
}

const localViews = new WeakMap<ReadonlySet<number>, FailingView>();

/**
 * The view of a set of alerting services (an incident's evidence): built once per set, in the
 * time it takes to look at the set's direct upstreams and theirs.
 */
export function viewOf(alerting: ReadonlySet<number>, graph: DependencyView): FailingView {
  const cached = localViews.get(alerting);
  if (cached !== undefined) return cached;
  const counts = dependentCounts(alerting, graph);
  const shown = shownByUpstream(
    counts.keys(),
    (s) => !alerting.has(s) && shownFailing(s, counts.get(s)!, graph),
    graph,
  );
  const view: FailingView = {
    isAlerting: (s) => alerting.has(s),
    alertingDependentsOf: (s) => counts.get(s) ?? 0,
    shownDependentsOf: (s) => shown.get(s) ?? NONE,
  };
  localViews.set(alerting, view);
  return view;
}

/**
 * `base` with `added` services alerting too (an event's, before it is stored). Adding alerts
 * only raises counts, so a dependent shown failing stays so unless it now alerts itself; the
 * newly shown ones are among the added services' direct upstreams. Costs what those touch.
 */
export function withAdded(
  base: FailingView,
  added: readonly number[],
  graph: DependencyView,
): FailingView {
  const fresh = new Set(added.filter((s) => !base.isAlerting(s)));
  if (fresh.size === 0) return base;
  const extra = dependentCounts(fresh, graph);
  const newlyShown = shownByUpstream(
    extra.keys(),
    (s) => {
      if (base.isAlerting(s) || fresh.has(s)) return false;
      const before = base.alertingDependentsOf(s);
      return !shownFailing(s, before, graph) && shownFailing(s, before + extra.get(s)!, graph);
    },
    graph,
  );
  return {
    isAlerting: (s) => fresh.has(s) || base.isAlerting(s),
    alertingDependentsOf: (s) => base.alertingDependentsOf(s) + (extra.get(s) ?? 0),
    shownDependentsOf: (s) => {
      const before = base.shownDependentsOf(s);
      const more = newlyShown.get(s);
      if (more === undefined && !before.some((d) => fresh.has(d))) return before;
      return [...before.filter((d) => !fresh.has(d)), ...(more ?? NONE)];
    },
  };
}

/** ` or fail silently (a, b: their own dependents alert)`, to follow "N of whose M alert". */
export function describeShown(shown: readonly number[], graph: DependencyView): string {
  if (shown.length === 0) return '';
  const names = shown.slice(0, 3).map((s) => graph.service(s)?.name ?? `#${s}`);
  const more = shown.length > 3 ? ` and ${shown.length - 3} more` : '';
  const whose = shown.length === 1 ? 'its own dependents alert' : 'their own dependents alert';
  return ` or fail silently (${names.join(', ')}${more}: ${whose})`;
}

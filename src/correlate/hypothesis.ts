import type { DependencyView } from '../topology/topology-index.js';
import {
  failingDependents,
  failingShare,
  viewOf,
  withAdded,
  type FailingView,
} from './failing-dependents.js';
import { FULL_CAUSE_SHARE } from './weights.js';

/**
 * Root-cause hypotheses. A service h explains a set of alerting services when each of them is
 * h or depends on h within the depth. Among the services that explain everything, an alerting
 * one is the root; a silent one is plausible in proportion to how many of its direct dependents
 * fail (see FailingDependents). A failing device, VM or cluster that hosts several services (an
 * infrastructure group) explains those services and whatever depends on them.
 */

export interface Evidence {
  /**
   * The services that explain every alerting service of the incident, each with its depth: the
   * most hops from an alerting service up to it. The shallowest is the most specific.
   */
  readonly explainers: ReadonlyMap<number, number>;
  /** Infrastructure groups that explain every alerting service. */
  readonly groups: ReadonlyArray<ReadonlySet<number>>;
  readonly alerting: ReadonlySet<number>;
}

export interface Hypothesis {
  readonly root: number;
  /** Set when the hypothesis is an infrastructure group (root is its first service). */
  readonly group?: ReadonlySet<number>;
  readonly alerting: boolean;
  /** Share of its direct dependents that fail in this evidence (see FailingDependents). */
  readonly share: number;
  /** Its silent direct dependents counted in `share` because their own dependents alert. */
  readonly shown: readonly number[];
  /** Most hops from an alerting service up to it: smaller is more specific. */
  readonly depth: number;
}

/** `service` at 0 and what it depends on within the depth, with their distances. */
function selfAndUpstream(service: number, graph: DependencyView): Iterable<[number, number]> {
  return [[service, 0], ...graph.upstream(service)];
}

/** Whether a service is in the group or depends on one of its services within the depth. */
function covers(group: ReadonlySet<number>, service: number, graph: DependencyView): boolean {
  if (group.has(service)) return true;
  for (const upstream of graph.upstream(service).keys()) if (group.has(upstream)) return true;
  return false;
}

/** Keeps the explainers that also explain `service`, deepening them as needed. */
function narrow(
  explainers: ReadonlyMap<number, number> | null,
  service: number,
  graph: DependencyView,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const [node, distance] of selfAndUpstream(service, graph)) {
    if (explainers === null) out.set(node, distance);
    else {
      const depth = explainers.get(node);
      if (depth !== undefined) out.set(node, Math.max(depth, distance));
    }
  }
  return out;
}

/** The evidence of a set of alerting services (an incident's, or an incident's plus more). */
export function gatherEvidence(
  services: Iterable<number>,
  graph: DependencyView,
  groups: ReadonlyArray<ReadonlySet<number>> = [],
): Evidence {
  const alerting = new Set(services);
  const covering = groups.filter((g) => [...alerting].every((s) => covers(g, s, graph)));
  let explainers: Map<number, number> | null = null;
  for (const service of alerting) {
    explainers = narrow(explainers, service, graph);
    if (explainers.size === 0) break;
  }
  return { explainers: explainers ?? new Map(), groups: covering, alerting };
}

/**
 * The evidence of two incidents' alerting services together, from each one's: a service
 * explains both when it explains each, as deep as the deeper of the two. Costs the smaller
 * set of explainers, not a walk per service.
 */
export function combineEvidence(a: Evidence, b: Evidence, graph: DependencyView): Evidence {
  const alerting = new Set([...a.alerting, ...b.alerting]);
  const coverAll = (group: ReadonlySet<number>, side: Evidence) =>
    [...side.alerting].every((s) => covers(group, s, graph));
  const seen = new Set<string>();
  const groups = [
    ...a.groups.filter((g) => coverAll(g, b)),
    ...b.groups.filter((g) => coverAll(g, a)),
  ].filter((g) => {
    const key = [...g].sort((x, y) => x - y).join();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Nothing alerting on one side adds no condition: the other's explainers stand.
  if (b.alerting.size === 0) return { explainers: a.explainers, groups, alerting };
  if (a.alerting.size === 0) return { explainers: new Map(), groups, alerting };
  const [small, large] = a.explainers.size <= b.explainers.size ? [a, b] : [b, a];
  const explainers = new Map<number, number>();
  for (const [node, depth] of small.explainers) {
    const other = large.explainers.get(node);
    if (other !== undefined) explainers.set(node, Math.max(depth, other));
  }
  return { explainers, groups, alerting };
}

/** What an alerting root shows: it fails itself. */
const LIT = { share: 1, shown: [] } as const;

function hypothesis(
  root: number,
  depth: number,
  view: FailingView,
  graph: DependencyView,
): Hypothesis {
  if (view.isAlerting(root)) return { root, alerting: true, depth, ...LIT };
  const failing = failingDependents(root, view, graph);
  return { root, alerting: false, depth, share: failingShare(failing), shown: failing.shown };
}

function groupHypothesis(group: ReadonlySet<number>): Hypothesis {
  return { root: Math.min(...group), group, alerting: true, depth: 0, ...LIT };
}

/**
 * The best hypothesis: the most specific alerting explainer; else an infrastructure group;
 * else the most specific silent explainer (the lowest common upstream). The ones above it add
 * no evidence of their own. Linear in the number of explainers.
 */
export function bestHypothesis(evidence: Evidence, graph: DependencyView): Hypothesis | undefined {
  return bestExtended(evidence, [], graph, null);
}

/** Whether [root, depth] beats the best so far: shallower, then the lower id. */
function beats(root: number, depth: number, best: readonly [number, number] | null): boolean {
  return best === null || depth < best[1] || (depth === best[1] && root < best[0]);
}

/**
 * bestHypothesis of the evidence extended with `services` (and an infrastructure group),
 * without building the extended evidence: one lookup per explainer and added service. This is
 * what every candidate of every event costs.
 */
export function bestExtended(
  evidence: Evidence,
  services: readonly number[],
  graph: DependencyView,
  group: ReadonlySet<number> | null,
): Hypothesis | undefined {
  const added = services.filter((s) => !evidence.alerting.has(s));
  const closures = added.map((s) => graph.upstream(s));
  // The explainer's depth once the added services count too; -1 if it does not explain them.
  const deepen = (root: number, known: number) => {
    let depth = known;
    for (let i = 0; i < added.length && depth >= 0; i++) {
      const distance = added[i] === root ? 0 : closures[i]!.get(root);
      depth = distance === undefined ? -1 : Math.max(depth, distance);
    }
    return depth;
  };
  let alerting: [number, number] | null = null;
  let silent: [number, number] | null = null;
  const ordered = orderedExplainers(evidence);
  // Alerting explainers are few: the incident's own, and an added service explaining it all.
  for (const root of [...alertingExplainers(evidence), ...added]) {
    const known = evidence.explainers.get(root);
    const depth = known === undefined ? -1 : deepen(root, known);
    if (depth >= 0 && beats(root, depth, alerting)) alerting = [root, depth];
  }
  if (alerting === null) {
    // Shallowest first: no later explainer can end up shallower than the best found.
    for (const [root, known] of ordered) {
      if (silent !== null && known > silent[1]) break;
      const depth = deepen(root, known);
      if (depth >= 0 && beats(root, depth, silent)) silent = [root, depth];
    }
  }
  if (alerting !== null) return { root: alerting[0], alerting: true, depth: alerting[1], ...LIT };
  const groups = extendedGroups(evidence, added, graph, group);
  if (groups.length > 0) return groupHypothesis(groups[0]!);
  if (silent === null) return undefined;
  const view = withAdded(viewOf(evidence.alerting, graph), added, graph);
  return hypothesis(silent[0], silent[1], view, graph);
}

const ordering = new WeakMap<Evidence, ReadonlyArray<readonly [number, number]>>();

/** The evidence's silent explainers, shallowest first (computed once per evidence). */
function orderedExplainers(evidence: Evidence): ReadonlyArray<readonly [number, number]> {
  let ordered = ordering.get(evidence);
  if (ordered === undefined) {
    ordered = [...evidence.explainers]
      .filter(([root]) => !evidence.alerting.has(root))
      .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    ordering.set(evidence, ordered);
  }
  return ordered;
}

function alertingExplainers(evidence: Evidence): number[] {
  return [...evidence.alerting].filter((s) => evidence.explainers.has(s));
}

function extendedGroups(
  evidence: Evidence,
  added: readonly number[],
  graph: DependencyView,
  group: ReadonlySet<number> | null,
): ReadonlyArray<ReadonlySet<number>> {
  const groups = evidence.groups.filter((g) => added.every((s) => covers(g, s, graph)));
  if (group === null) return groups;
  const all = [...evidence.alerting, ...added];
  return all.every((s) => covers(group, s, graph)) ? [...groups, group] : groups;
}

/** Every hypothesis, best first (see bestHypothesis): for naming root causes. */
export function rankHypotheses(evidence: Evidence, graph: DependencyView): Hypothesis[] {
  const view = viewOf(evidence.alerting, graph);
  const services = [...evidence.explainers].map(([root, depth]) =>
    hypothesis(root, depth, view, graph),
  );
  services.sort(
    (a, b) => Number(b.alerting) - Number(a.alerting) || a.depth - b.depth || a.root - b.root,
  );
  const groups = evidence.groups.map(groupHypothesis);
  // An alerting service explains more specifically than a whole group; a group beats silence.
  const firstSilent = services.findIndex((h) => !h.alerting);
  const at = firstSilent < 0 ? services.length : firstSilent;
  return [...services.slice(0, at), ...groups, ...services.slice(at)];
}

/** How much a hypothesis counts: an alerting root fully, a silent one by its dependents. */
export function plausibility(hypothesis: Hypothesis): number {
  return hypothesis.alerting ? 1 : Math.min(1, hypothesis.share / FULL_CAUSE_SHARE);
}

/** Probable root causes, best first; the first `titled` of them name the incident. */
export interface RankedRoots {
  readonly roots: number[];
  readonly titled: number;
}

const byName = (graph: DependencyView) => (a: number, b: number) =>
  (graph.service(a)?.name ?? '').localeCompare(graph.service(b)?.name ?? '') || a - b;

/**
 * The probable root causes of an incident's services, best first: the failing infrastructure's
 * services when a device, VM or cluster explains everything; else its explaining hypotheses when
 * a plausible one explains everything (the best names the incident, two more follow as
 * runners-up); else the services that depend on none of the others, those explaining more of
 * the incident first.
 */
export function rankRootCauses(
  services: ReadonlySet<number>,
  graph: DependencyView,
  groups: ReadonlyArray<ReadonlySet<number>> = [],
  /** Share of a service's dependents alerting over every open incident, when known. */
  globalShare: (service: number) => number = () => 0,
): RankedRoots {
  const evidence = gatherEvidence(services, graph, groups);
  const ranked = rankHypotheses(evidence, graph);
  const best = ranked[0];
  if (best?.group !== undefined) {
    const roots = [...best.group].filter((s) => services.has(s)).sort(byName(graph));
    return { roots, titled: roots.length };
  }
  if (best !== undefined && plausibility(best) >= 1) {
    // Runners-up: the services the best depends on directly (the failure may sit one level up),
    // those with more alerting dependents in any incident first; then the other explainers.
    const parents = new Set((graph.service(best.root)?.upstream ?? []).map((e) => e.service));
    const weight = (h: Hypothesis) =>
      parents.has(h.root) ? 2 + Math.max(h.share, globalShare(h.root)) : h.share;
    const others = ranked
      .slice(1)
      .filter((h) => h.root !== best.root)
      .sort((a, b) => weight(b) - weight(a) || a.depth - b.depth || a.root - b.root);
    const roots = [...new Set([best.root, ...others.map((h) => h.root)])].slice(0, 3);
    return { roots, titled: 1 };
  }
  const independent = [...services].filter((s) => {
    for (const upstream of graph.upstream(s).keys()) if (services.has(upstream)) return false;
    return true;
  });
  const roots = independent.length > 0 ? independent : [...services];
  const covered = (root: number) =>
    [...services].filter((s) => s === root || graph.upstream(s).has(root)).length;
  const ordered = roots
    .map((root) => [root, covered(root)] as const)
    .sort((a, b) => b[1] - a[1] || byName(graph)(a[0], b[0]))
    .map(([root]) => root);
  const titled = ordered.length;
  if (best === undefined || plausibility(best) === 0 || ordered.includes(best.root)) {
    return { roots: ordered, titled };
  }
  return { roots: [...ordered, best.root], titled };
}

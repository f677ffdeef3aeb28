import type { DependencyView } from '../topology/topology-index.js';

/**
 * Root-cause hypotheses. A service h explains a set of alerting services when each of them is
 * h or depends on h within the depth. Among the services that explain everything, an alerting
 * one is the root; a silent one is plausible in proportion to how many of its direct dependents
 * alert. A failing device, VM or cluster that hosts several services (an infrastructure group)
 * explains those services and whatever depends on them.
 */

/** Share of a silent cause's direct dependents that must alert for it to count fully. */
export const FULL_CAUSE_SHARE = 0.5;

export interface Evidence {
  /** The services that explain every alerting service of the incident. */
  readonly explainers: ReadonlySet<number>;
  /** Infrastructure groups that explain every alerting service. */
  readonly groups: ReadonlyArray<ReadonlySet<number>>;
  readonly alerting: ReadonlySet<number>;
}

export interface Hypothesis {
  readonly root: number;
  /** Set when the hypothesis is an infrastructure group (root is its first service). */
  readonly group?: ReadonlySet<number>;
  readonly alerting: boolean;
  /** Share of its direct dependents that alert in this evidence. */
  readonly share: number;
  /** Services depending on it within the depth: smaller is more specific. */
  readonly reach: number;
}

/** Services that are `service` or that it depends on within the depth. */
function selfAndUpstream(service: number, graph: DependencyView): number[] {
  return [service, ...graph.upstream(service).keys()];
}

/** Whether a service is in the group or depends on one of its services within the depth. */
function covers(group: ReadonlySet<number>, service: number, graph: DependencyView): boolean {
  if (group.has(service)) return true;
  for (const upstream of graph.upstream(service).keys()) if (group.has(upstream)) return true;
  return false;
}

/** The evidence of a set of alerting services (an incident's, or an incident's plus more). */
export function gatherEvidence(
  services: Iterable<number>,
  graph: DependencyView,
  groups: ReadonlyArray<ReadonlySet<number>> = [],
): Evidence {
  const alerting = new Set(services);
  const covering = groups.filter((g) => [...alerting].every((s) => covers(g, s, graph)));
  let explainers = new Set<number>();
  let first = true;
  for (const service of alerting) {
    const mine = new Set(selfAndUpstream(service, graph));
    explainers = first ? mine : new Set([...explainers].filter((x) => mine.has(x)));
    first = false;
    if (explainers.size === 0) break;
  }
  return { explainers, groups: covering, alerting };
}

/** The evidence with more alerting services added (an event's), without recomputing it. */
export function extendEvidence(
  evidence: Evidence,
  services: readonly number[],
  graph: DependencyView,
  group: ReadonlySet<number> | null = null,
): Evidence {
  const added = services.filter((s) => !evidence.alerting.has(s));
  if (added.length === 0 && group === null) return evidence;
  let explainers = new Set(evidence.explainers);
  for (const service of added) {
    const mine = new Set(selfAndUpstream(service, graph));
    explainers = new Set([...explainers].filter((x) => mine.has(x)));
  }
  const alerting = new Set([...evidence.alerting, ...added]);
  const groups = evidence.groups.filter((g) => added.every((s) => covers(g, s, graph)));
  if (group !== null && [...alerting].every((s) => covers(group, s, graph))) groups.push(group);
  return { explainers, groups, alerting };
}

/** Share of `cause`'s direct dependents among the alerting services. */
export function dependentShare(
  cause: number,
  alerting: ReadonlySet<number>,
  graph: DependencyView,
): number {
  const dependents = graph.service(cause)?.downstream ?? [];
  if (dependents.length === 0) return 0;
  return dependents.filter((edge) => alerting.has(edge.service)).length / dependents.length;
}

/**
 * Every explaining service as a hypothesis, best first: alerting ones, then silent ones, each
 * from the most specific (fewest dependents) up. The most specific silent explainer is the
 * lowest common upstream; those above it add no evidence of their own.
 */
export function rankHypotheses(evidence: Evidence, graph: DependencyView): Hypothesis[] {
  const services: Hypothesis[] = [...evidence.explainers].map((root) => ({
    root,
    alerting: evidence.alerting.has(root),
    share: dependentShare(root, evidence.alerting, graph),
    reach: graph.downstream(root).size,
  }));
  services.sort(
    (a, b) => Number(b.alerting) - Number(a.alerting) || a.reach - b.reach || a.root - b.root,
  );
  const groups: Hypothesis[] = evidence.groups.map((group) => ({
    root: Math.min(...group),
    group,
    alerting: true,
    share: 1,
    reach: group.size,
  }));
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
): RankedRoots {
  const evidence = gatherEvidence(services, graph, groups);
  const ranked = rankHypotheses(evidence, graph);
  const best = ranked[0];
  if (best?.group !== undefined) {
    const roots = [...best.group].filter((s) => services.has(s)).sort(byName(graph));
    return { roots, titled: roots.length };
  }
  if (best !== undefined && plausibility(best) >= 1) {
    // Runners-up: the other explainers, those more of whose dependents alert first.
    const others = ranked
      .slice(1)
      .filter((h) => h.root !== best.root)
      .sort((a, b) => b.share - a.share || a.reach - b.reach || a.root - b.root);
    const roots = [...new Set([best.root, ...others.map((h) => h.root)])].slice(0, 3);
    return { roots, titled: 1 };
  }
  const independent = [...services].filter((s) => {
    for (const upstream of graph.upstream(s).keys()) if (services.has(upstream)) return false;
    return true;
  });
  const roots = independent.length > 0 ? independent : [...services];
  const covered = (root: number) => {
    const below = graph.downstream(root);
    return [...services].filter((s) => below.has(s)).length;
  };
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

import type { CorrelationGraph } from '../topology/topology-index.js';
import type { EventFacts, IncidentView } from './correlation-types.js';
import type { AlertingEvidence } from './evidence.js';
import {
  describeShown,
  failingDependents,
  failingShare,
  withAdded,
  type FailingDependents,
} from './failing-dependents.js';
import { gatherEvidence, bestExtended, bestHypothesis, type Evidence } from './hypothesis.js';
import { InfrastructureRelation } from './infrastructure-relation.js';
import type { CorrelationRule, DependencyRelation } from './scoring.js';
import {
  CANDIDATE_CAUSES,
  CANDIDATE_SPECIFICITY,
  DEPENDENCY_STRENGTH,
  FULL_CAUSE_SHARE,
} from './weights.js';

/**
 * The evidence of each incident, kept across events (a rule is made per event): recomputed only
 * when its services or groups changed. An incident object belongs to one topology version.
 */
const evidenceCache = new WeakMap<IncidentView, { size: number; evidence: Evidence }>();

const specificityOf = (share: number) => Math.min(1, share / FULL_CAUSE_SHARE);

/**
 * Faultline's rule: an event relates to an incident through a root-cause hypothesis, a service
 * that explains every alerting service of both (each is it, or depends on it within the depth).
 * An alerting explainer counts as a dependency (0.8); a silent one as a common upstream (0.5)
 * in proportion to how many of its branches fail, fully from half of them (a branch fails when
 * it alerts, or when its own dependents show it failing: see FailingDependents). A core network
 * that everything depends on thus ties nothing together, while a database half of whose
 * dependents alert explains them together, even if it never alerts itself.
 */
export class FaultlineRule implements CorrelationRule {
  readonly name = 'faultline';
  private readonly chosenCauses = new WeakMap<EventFacts, Set<number>>();
  private readonly shares = new WeakMap<EventFacts, Map<number, FailingDependents>>();

  private readonly infrastructure: InfrastructureRelation;

  constructor(
    private readonly graph: CorrelationGraph,
    private readonly alerting: AlertingEvidence,
  ) {
    this.infrastructure = new InfrastructureRelation(graph, alerting);
  }

  /** The incident's evidence (its alerting services), recomputed when its services changed. */
  evidenceOf(incident: IncidentView): Evidence {
    const size = incident.services.size - incident.context.size + incident.groups.length * 1e6;
    const cached = evidenceCache.get(incident);
    if (cached !== undefined && cached.size === size) return cached.evidence;
    const evidence = gatherEvidence(alertingServices(incident), this.graph, incident.groups);
    evidenceCache.set(incident, { size, evidence });
    return evidence;
  }

  /** Only services the event shows failing count: not those listed through a VM's cluster. */
  overlaps(event: EventFacts, incident: IncidentView): boolean {
    return this.sharedService(event, incident) !== null;
  }

  private sharedService(event: EventFacts, incident: IncidentView): number | null {
    for (const e of eventAlerting(event)) {
      if (incident.services.has(e) && !incident.context.has(e)) return e;
    }
    return null;
  }

  relation(event: EventFacts, incident: IncidentView): DependencyRelation {
    const shared = this.sharedService(event, incident);
    if (shared !== null) {
      const relation = `same service ${this.graph.service(shared)?.name ?? `#${shared}`}`;
      return { strength: DEPENDENCY_STRENGTH.sameService, relation, specificity: 1 };
    }
    const byCause = this.hypothesisRelation(event, incident);
    const byHost = this.infrastructure.relation(event, incident);
    return byHost !== null && byHost.strength > byCause.strength ? byHost : byCause;
  }

  private hypothesisRelation(event: EventFacts, incident: IncidentView): DependencyRelation {
    const group = event.group === null ? null : new Set(event.group);
    const best = bestExtended(this.evidenceOf(incident), eventAlerting(event), this.graph, group);
    if (best === undefined) {
      return { strength: 0, relation: 'no common cause within the depth', specificity: 0 };
    }
    const root = this.graph.service(best.root)?.name ?? `#${best.root}`;
    if (best.group !== undefined) {
      const relation = `explained by failing infrastructure hosting ${root} and others`;
      return { strength: DEPENDENCY_STRENGTH.dependent, relation, specificity: 1 };
    }
    if (best.alerting) {
      // Named as the plugin does: "<dependent> depends on <root>".
      const fromEvent = eventAlerting(event).includes(best.root);
      const side = fromEvent ? alertingServices(incident) : eventAlerting(event);
      const dependsOnRoot = (s: number) => this.graph.upstream(s).has(best.root);
      const dependent = side.find(dependsOnRoot) ?? side[0] ?? best.root;
      const name = this.graph.service(dependent)?.name ?? `#${dependent}`;
      const relation = `${name} depends on ${root}`;
      const distance = this.nearest(event, incident);
      return { strength: DEPENDENCY_STRENGTH.dependent, relation, specificity: 1, distance };
    }
    // Judged over every open incident when that shows more of its branches failing.
    const global = this.globalShares(event).get(best.root);
    const wider = global !== undefined && failingShare(global) > best.share;
    const share = wider ? failingShare(global) : best.share;
    const shown = describeShown(wider ? global.shown : best.shown, this.graph);
    const specificity = specificityOf(share);
    const branches = this.graph.service(best.root)?.downstream.length ?? 0;
    const lit = Math.round(share * branches);
    const relation = `both depend on ${root}, ${lit} of whose ${branches} direct dependents`;
    return {
      strength: DEPENDENCY_STRENGTH.commonUpstream * specificity,
      relation: `${relation} alert${shown}`,
      specificity,
    };
  }

  /** Fewest dependency hops between an alerting service of the event and one of the incident. */
  private nearest(event: EventFacts, incident: IncidentView): number {
    let nearest = Infinity;
    const incidentServices = alertingServices(incident);
    for (const e of eventAlerting(event)) {
      const up = this.graph.upstream(e);
      for (const i of incidentServices) {
        const below = this.graph.upstream(i).get(e) ?? Infinity;
        nearest = Math.min(nearest, up.get(i) ?? Infinity, below);
      }
    }
    return nearest;
  }

  /**
   * Whether incidents sharing `upstream` with the event are worth scoring: one of the event's
   * few upstreams with the most alerting branches over all open incidents (an upper bound of
   * what any one incident can show), and enough of them.
   */
  considers(event: EventFacts, upstream: number): boolean {
    let chosen = this.chosenCauses.get(event);
    if (chosen === undefined) {
      const shares = this.globalShares(event);
      const ranked = [...shares]
        .map(([id, failing]) => [id, failingShare(failing)] as const)
        .filter(([, share]) => specificityOf(share) >= CANDIDATE_SPECIFICITY)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      chosen = new Set(ranked.slice(0, CANDIDATE_CAUSES).map(([id]) => id));
      this.chosenCauses.set(event, chosen);
    }
    return chosen.has(upstream);
  }

  /**
   * What the incident's best hypothesis says failed, when it is plausible: an alerting root, a
   * silent one at least half of whose dependents alert, or infrastructure groups. Other open
   * incidents on or below these services may be the same failure.
   */
  plausibleCause(incident: IncidentView): number[] {
    const best = bestHypothesis(this.evidenceOf(incident), this.graph);
    if (best === undefined) return [];
    if (best.group !== undefined) return [...best.group];
    const share = Math.max(best.share, this.globalShare(best.root));
    return best.alerting || share >= FULL_CAUSE_SHARE ? [best.root] : [];
  }

  /**
   * Share of a silent cause's direct dependents that fail over all open incidents, whichever
   * incident holds them: evidence split across incidents still counts.
   */
  globalShare(cause: number): number {
    return failingShare(failingDependents(cause, this.alerting, this.graph));
  }

  /** Failing dependents of the event's upstreams over all open incidents plus the event. */
  private globalShares(event: EventFacts): Map<number, FailingDependents> {
    const cached = this.shares.get(event);
    if (cached !== undefined) return cached;
    const alerting = eventAlerting(event);
    const view = withAdded(this.alerting, alerting, this.graph);
    const shares = new Map<number, FailingDependents>();
    for (const service of alerting) {
      for (const upstream of this.graph.upstream(service).keys()) {
        if (shares.has(upstream) || alerting.includes(upstream)) continue;
        shares.set(upstream, failingDependents(upstream, view, this.graph));
      }
    }
    this.shares.set(event, shares);
    return shares;
  }
}

/** The event's services that it shows failing (not those reached through a VM's cluster). */
function eventAlerting(event: EventFacts): readonly number[] {
  return event.context.length === 0
    ? event.services
    : event.services.filter((s) => !event.context.includes(s));
}

function alertingServices(incident: IncidentView): number[] {
  return [...incident.services].filter((s) => !incident.context.has(s));
}

import type { CorrelationGraph } from '../topology/topology-index.js';
import type { EventFacts, IncidentView } from './correlation-types.js';
import type { AlertingEvidence } from './evidence.js';
import type { CorrelationRule, DependencyRelation } from './scoring.js';
import { DEPENDENCY_STRENGTH } from './weights.js';

/**
 * Share of a cause's direct dependents whose branch must alert for it to count fully as a
 * common cause; below it, the shared cause counts in proportion.
 */
export const FULL_CAUSE_SHARE = 0.25;

/** A possible common cause of an event and an incident, and how plausible it is. */
interface Cause {
  readonly name: string;
  /** Alerting share of what depends on it, counting the event's own services. */
  readonly share: number;
}

/** Shared upstreams below this specificity cannot bring a candidate near any threshold. */
const CANDIDATE_SPECIFICITY = 0.2;
/** Only the most specific shared upstreams of an event bring candidates. */
const CANDIDATE_CAUSES = 4;

const specificityOf = (share: number) => Math.min(1, share / FULL_CAUSE_SHARE);

/**
 * Faultline's rule. Like the plugin's, a shared service counts 1.0 and a dependency either way
 * 0.8; but a shared upstream (or a shared VM host) that is not itself alerting counts 0.5 only
 * when at least a quarter of what depends on it is alerting, and in proportion below that. A
 * core network that everything depends on thus ties nothing together, while a database half of
 * whose dependents alert explains them together.
 */
export class FaultlineRule implements CorrelationRule {
  readonly name = 'faultline';
  private readonly causes = new WeakMap<EventFacts, Map<number, Cause>>();
  private readonly chosenCauses = new WeakMap<EventFacts, Set<number>>();

  constructor(
    private readonly graph: CorrelationGraph,
    private readonly evidence: AlertingEvidence,
  ) {}

  /**
   * Upstreams of the event's services, each with the share of its direct dependents whose
   * branch alerts (the dependent, or something below it), counting the event as alerting.
   * A failing service makes most of its branches alert; a core network that everything uses
   * has only a few alerting branches, whatever the size of the storm below one of them.
   */
  upstreamCauses(event: EventFacts): Map<number, Cause> {
    let causes = this.causes.get(event);
    if (causes !== undefined) return causes;
    const path = new Set<number>(event.services);
    for (const service of event.services) {
      for (const upstream of this.graph.upstream(service).keys()) path.add(upstream);
    }
    // Branches the event itself makes alerting: a dependent on its path, not yet alerting.
    const fresh = new Map<number, number>();
    for (const node of path) {
      if (this.evidence.alertingAtOrBelow(node) > 0) continue;
      for (const edge of this.graph.service(node)?.upstream ?? []) {
        if (path.has(edge.service)) fresh.set(edge.service, (fresh.get(edge.service) ?? 0) + 1);
      }
    }
    causes = new Map();
    for (const node of path) {
      if (event.services.includes(node)) continue;
      const branches = this.graph.service(node)?.downstream.length ?? 0;
      const alerting = this.evidence.alertingBranchesOf(node) + (fresh.get(node) ?? 0);
      const name = this.graph.service(node)?.name ?? `#${node}`;
      causes.set(node, { name, share: branches === 0 ? 0 : alerting / branches });
    }
    this.causes.set(event, causes);
    return causes;
  }

  /**
   * Whether incidents sharing `upstream` with the event are worth scoring: it is one of the
   * event's few most specific upstreams, and specific enough to matter.
   */
  considers(event: EventFacts, upstream: number): boolean {
    let chosen = this.chosenCauses.get(event);
    if (chosen === undefined) {
      const ranked = [...this.upstreamCauses(event)]
        .filter(([, cause]) => specificityOf(cause.share) >= CANDIDATE_SPECIFICITY)
        .sort((a, b) => b[1].share - a[1].share || a[0] - b[0]);
      chosen = new Set(ranked.slice(0, CANDIDATE_CAUSES).map(([id]) => id));
      this.chosenCauses.set(event, chosen);
    }
    return chosen.has(upstream);
  }

  /** Share of alerting VMs on a host, counting the event's VMs. */
  private hostShare(host: number, event: EventFacts): number {
    const total = this.graph.vmCount(host);
    if (total === 0) return 0;
    const fresh = event.vms.filter(
      (vm) => this.graph.hostOf(vm) === host && !this.evidence.isVmAlerting(vm),
    ).length;
    return (this.evidence.alertingVmsOn(host) + fresh) / total;
  }

  relation(event: EventFacts, incident: IncidentView): DependencyRelation {
    const name = (id: number) => this.graph.service(id)?.name ?? `#${id}`;
    for (const e of event.services) {
      if (incident.services.has(e)) {
        const relation = `same service ${name(e)}`;
        return { strength: DEPENDENCY_STRENGTH.sameService, relation, specificity: 1 };
      }
    }
    for (const e of event.services) {
      const up = this.graph.upstream(e);
      const down = this.graph.downstream(e);
      for (const i of incident.services) {
        if (up.has(i)) return direct(`${name(e)} depends on ${name(i)}`);
        if (down.has(i)) return direct(`${name(i)} depends on ${name(e)}`);
      }
    }
    return this.sharedCause(event, incident);
  }

  /** The most plausible cause the event and the incident share: an upstream or a VM host. */
  private sharedCause(event: EventFacts, incident: IncidentView): DependencyRelation {
    let best: Cause | null = null;
    const causes = this.upstreamCauses(event);
    for (const i of incident.services) {
      for (const upstream of this.graph.upstream(i).keys()) {
        const cause = causes.get(upstream);
        if (cause !== undefined && (best === null || cause.share > best.share)) best = cause;
      }
    }
    for (const vm of event.vms) {
      const host = this.graph.hostOf(vm);
      if (host === null || !this.hostsShared(host, incident)) continue;
      const share = this.hostShare(host, event);
      if (best === null || share > best.share) best = { name: `host #${host}`, share };
    }
    if (best === null) return { strength: 0, relation: 'no dependency relation', specificity: 0 };
    const specificity = specificityOf(best.share);
    const percent = Math.round(best.share * 100);
    return {
      strength: DEPENDENCY_STRENGTH.commonUpstream * specificity,
      relation: `both depend on ${best.name}, ${percent}% of whose dependents' branches alert`,
      specificity,
    };
  }

  private hostsShared(host: number, incident: IncidentView): boolean {
    if (incident.devices.has(host)) return true;
    for (const vm of incident.vms) if (this.graph.hostOf(vm) === host) return true;
    return false;
  }
}

function direct(relation: string): DependencyRelation {
  return { strength: DEPENDENCY_STRENGTH.dependent, relation, specificity: 1 };
}

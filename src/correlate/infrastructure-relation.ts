import type { CorrelationGraph, Site } from '../topology/topology-index.js';
import type { EventFacts, IncidentView } from './correlation-types.js';
import type { AlertingEvidence } from './evidence.js';
import { FULL_CAUSE_SHARE } from './weights.js';
import type { DependencyRelation } from './scoring.js';
import { DEPENDENCY_STRENGTH } from './weights.js';

/**
 * Events on VMs that run where the incident's VMs run: the same host or the same cluster. Like
 * a silent shared upstream, the shared place counts 0.5 in proportion to how many of its VMs
 * alert, fully from half of them.
 */
export class InfrastructureRelation {
  constructor(
    private readonly graph: CorrelationGraph,
    private readonly alerting: AlertingEvidence,
  ) {}

  relation(event: EventFacts, incident: IncidentView): DependencyRelation | null {
    let best: DependencyRelation | null = null;
    for (const vm of event.vms) {
      for (const site of this.sitesOf(vm)) {
        if (!this.shares(site, incident)) continue;
        const specificity = Math.min(1, this.share(site, event) / FULL_CAUSE_SHARE);
        if (best !== null && specificity <= (best.specificity ?? 0)) continue;
        const place = site.kind === 'device' ? 'host' : 'cluster';
        best = {
          strength: DEPENDENCY_STRENGTH.commonUpstream * specificity,
          relation: `VMs on the same ${place} #${site.id}`,
          specificity,
        };
      }
    }
    return best;
  }

  sitesOf(vm: number): Site[] {
    const host = this.graph.hostOf(vm);
    const cluster = this.graph.clusterOf(vm);
    return [
      ...(host === null ? [] : [{ kind: 'device' as const, id: host }]),
      ...(cluster === null ? [] : [{ kind: 'cluster' as const, id: cluster }]),
    ];
  }

  private siteOf(vm: number, kind: Site['kind']): number | null {
    return kind === 'device' ? this.graph.hostOf(vm) : this.graph.clusterOf(vm);
  }

  private shares(site: Site, incident: IncidentView): boolean {
    if (site.kind === 'device' && incident.devices.has(site.id)) return true;
    for (const vm of incident.vms) if (this.siteOf(vm, site.kind) === site.id) return true;
    return false;
  }

  /** Share of the place's VMs that alert, counting the event's VMs. */
  share(site: Site, event: EventFacts): number {
    const total = this.graph.vmsIn(site);
    if (total === 0) return 0;
    const fresh = event.vms.filter(
      (vm) => this.siteOf(vm, site.kind) === site.id && !this.alerting.isVmAlerting(vm),
    ).length;
    return (this.alerting.alertingVmsIn(site) + fresh) / total;
  }
}

/**
 * Hosts and clusters of the event's VMs of which at least half the VMs, and at least two, now
 * alert: each is
 * plausibly failing, so the incident explains the services it hosts. Call after the event's
 * incident is indexed (its VMs count as alerting).
 */
export function failingSites(
  graph: CorrelationGraph,
  alerting: AlertingEvidence,
  vms: readonly number[],
): Site[] {
  const relation = new InfrastructureRelation(graph, alerting);
  const seen = new Set<string>();
  const out: Site[] = [];
  for (const vm of vms) {
    for (const site of relation.sitesOf(vm)) {
      const key = `${site.kind}:${site.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const alertingVms = alerting.alertingVmsIn(site);
      // One VM's alert cannot tell its own failure from its host's: it takes two.
      if (alertingVms >= 2 && alertingVms / graph.vmsIn(site) >= FULL_CAUSE_SHARE) out.push(site);
    }
  }
  return out;
}

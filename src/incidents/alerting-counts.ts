import type { AlertingEvidence, CorrelationGraph } from '../correlate/evidence.js';
import { shownFailing } from '../correlate/failing-dependents.js';
import type { Site } from '../topology/topology-index.js';

function bump(map: Map<number, number>, key: number, by: number): number {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
  return next;
}

const NONE: readonly number[] = [];

/**
 * Counts of alerting services and VMs over the open incidents, kept up to date as incidents
 * come, grow and go: a service that starts or stops alerting changes the count of each service
 * it depends on directly, and with it whether those are shown failing by their dependents
 * (see FailingDependents), which changes the lists of their own direct upstreams.
 */
export class AlertingCounts implements AlertingEvidence {
  /** Open incidents listing each service / VM. */
  private readonly serviceRefs = new Map<number, number>();
  private readonly vmRefs = new Map<number, number>();
  private readonly dependents = new Map<number, number>();
  /** Silent services shown failing, and the lists of them under each direct upstream. */
  private readonly shown = new Set<number>();
  private readonly shownBelow = new Map<number, readonly number[]>();
  private readonly vmsOnHost = new Map<number, number>();
  private readonly vmsInCluster = new Map<number, number>();

  /** Counts every change of what these counts say, for judgements made on them to key on. */
  version = 0;

  constructor(private readonly graph: CorrelationGraph) {}

  addService(service: number, by: 1 | -1): void {
    const refs = bump(this.serviceRefs, service, by);
    // Only the first listing and the last unlisting change whether the service alerts.
    if ((by === 1 && refs !== 1) || (by === -1 && refs !== 0)) return;
    this.version++;
    const upstream = this.graph.service(service)?.upstream ?? [];
    for (const edge of upstream) bump(this.dependents, edge.service, by);
    for (const edge of upstream) this.refreshShown(edge.service);
    this.refreshShown(service);
  }

  private refreshShown(service: number): void {
    const alerting = this.dependents.get(service) ?? 0;
    const shown = !this.isAlerting(service) && shownFailing(service, alerting, this.graph);
    if (shown === this.shown.has(service)) return;
    if (shown) this.shown.add(service);
    else this.shown.delete(service);
    // Lists are replaced, never changed in place: a decision may still hold the old one.
    for (const edge of this.graph.service(service)?.upstream ?? []) {
      const list = this.shownBelow.get(edge.service) ?? NONE;
      const next = shown ? [...list, service] : list.filter((s) => s !== service);
      if (next.length === 0) this.shownBelow.delete(edge.service);
      else this.shownBelow.set(edge.service, next);
    }
  }

  addVm(vm: number, by: 1 | -1): void {
    const refs = bump(this.vmRefs, vm, by);
    if ((by === 1 && refs !== 1) || (by === -1 && refs !== 0)) return;
    this.version++;
    const host = this.graph.hostOf(vm);
    if (host !== null) bump(this.vmsOnHost, host, by);
    const cluster = this.graph.clusterOf(vm);
    if (cluster !== null) bump(this.vmsInCluster, cluster, by);
  }

  alertingDependentsOf(service: number): number {
    return this.dependents.get(service) ?? 0;
  }

  shownDependentsOf(service: number): readonly number[] {
    return this.shownBelow.get(service) ?? NONE;
  }

  isAlerting(service: number): boolean {
    return this.serviceRefs.has(service);
  }

  alertingVmsIn(site: Site): number {
    return (site.kind === 'device' ? this.vmsOnHost : this.vmsInCluster).get(site.id) ?? 0;
  }

  isVmAlerting(vm: number): boolean {
    return this.vmRefs.has(vm);
  }
}

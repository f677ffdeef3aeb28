import type { AlertingEvidence, CorrelationGraph } from '../correlate/evidence.js';
import type { Site } from '../topology/topology-index.js';

function bump(map: Map<number, number>, key: number, by: number): number {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
  return next;
}

/**
 * Counts of alerting services and VMs over the open incidents, kept up to date as incidents
 * come, grow and go: a service that starts or stops alerting changes the count of each service
 * it depends on directly.
 */
export class AlertingCounts implements AlertingEvidence {
  /** Open incidents listing each service / VM. */
  private readonly serviceRefs = new Map<number, number>();
  private readonly vmRefs = new Map<number, number>();
  private readonly dependents = new Map<number, number>();
  private readonly vmsOnHost = new Map<number, number>();
  private readonly vmsInCluster = new Map<number, number>();

  constructor(private readonly graph: CorrelationGraph) {}

  addService(service: number, by: 1 | -1): void {
    const refs = bump(this.serviceRefs, service, by);
    // Only the first listing and the last unlisting change whether the service alerts.
    if ((by === 1 && refs !== 1) || (by === -1 && refs !== 0)) return;
    for (const edge of this.graph.service(service)?.upstream ?? []) {
      bump(this.dependents, edge.service, by);
    }
  }

  addVm(vm: number, by: 1 | -1): void {
    const refs = bump(this.vmRefs, vm, by);
    if ((by === 1 && refs !== 1) || (by === -1 && refs !== 0)) return;
    const host = this.graph.hostOf(vm);
    if (host !== null) bump(this.vmsOnHost, host, by);
    const cluster = this.graph.clusterOf(vm);
    if (cluster !== null) bump(this.vmsInCluster, cluster, by);
  }

  alertingDependentsOf(service: number): number {
    return this.dependents.get(service) ?? 0;
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

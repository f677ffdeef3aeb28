import type { AlertingEvidence, CorrelationGraph } from '../correlate/evidence.js';

function bump(map: Map<number, number>, key: number, by: number): number {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
  return next;
}

/**
 * Counts of alerting services and VMs over the open incidents, kept up to date as incidents
 * come, grow and go: adding a service costs one step per upstream within the depth.
 */
export class AlertingCounts implements AlertingEvidence {
  /** Open incidents listing each service / VM. */
  private readonly serviceRefs = new Map<number, number>();
  private readonly vmRefs = new Map<number, number>();
  private readonly atOrBelow = new Map<number, number>();
  /** Direct dependents of a service that alert or have an alerting service below them. */
  private readonly alertingBranches = new Map<number, number>();
  private readonly vmsOnHost = new Map<number, number>();

  constructor(private readonly graph: CorrelationGraph) {}

  addService(service: number, by: 1 | -1): void {
    const refs = bump(this.serviceRefs, service, by);
    // Only the first listing and the last unlisting change whether the service alerts.
    if ((by === 1 && refs !== 1) || (by === -1 && refs !== 0)) return;
    this.bumpAtOrBelow(service, by);
    for (const upstream of this.graph.upstream(service).keys()) this.bumpAtOrBelow(upstream, by);
  }

  private bumpAtOrBelow(service: number, by: 1 | -1): void {
    const count = bump(this.atOrBelow, service, by);
    // The service's branch starts or stops alerting for each service it depends on.
    if ((by === 1 && count === 1) || (by === -1 && count === 0)) {
      for (const edge of this.graph.service(service)?.upstream ?? []) {
        bump(this.alertingBranches, edge.service, by);
      }
    }
  }

  addVm(vm: number, by: 1 | -1): void {
    const refs = bump(this.vmRefs, vm, by);
    if ((by === 1 && refs !== 1) || (by === -1 && refs !== 0)) return;
    const host = this.graph.hostOf(vm);
    if (host !== null) bump(this.vmsOnHost, host, by);
  }

  alertingAtOrBelow(service: number): number {
    return this.atOrBelow.get(service) ?? 0;
  }

  alertingBranchesOf(service: number): number {
    return this.alertingBranches.get(service) ?? 0;
  }

  isAlerting(service: number): boolean {
    return this.serviceRefs.has(service);
  }

  alertingVmsOn(device: number): number {
    return this.vmsOnHost.get(device) ?? 0;
  }

  isVmAlerting(vm: number): boolean {
    return this.vmRefs.has(vm);
  }
}

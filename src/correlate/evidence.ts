export type { CorrelationGraph } from '../topology/topology-index.js';

/**
 * What is alerting right now, across every open incident: how many services at or below a
 * service (within the depth) alert, and how many VMs on a host alert. These judge whether a
 * shared upstream or a shared host is a plausible common cause.
 */
export interface AlertingEvidence {
  /** Alerting services among `service` and everything depending on it within the depth. */
  alertingAtOrBelow(service: number): number;
  /** Direct dependents of `service` that alert or have an alerting service below them. */
  alertingBranchesOf(service: number): number;
  isAlerting(service: number): boolean;
  /** Alerting VMs running on a device. */
  alertingVmsOn(device: number): number;
  isVmAlerting(vm: number): boolean;
}

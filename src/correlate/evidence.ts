import type { Site } from '../topology/topology-index.js';

export type { CorrelationGraph } from '../topology/topology-index.js';

/**
 * What is alerting right now, across every open incident: which services alert, how many of a
 * service's direct dependents alert, and how many VMs on a host alert. These judge whether a
 * shared upstream or a shared host is a plausible common cause.
 */
export interface AlertingEvidence {
  isAlerting(service: number): boolean;
  /** Direct dependents of `service` that alert. */
  alertingDependentsOf(service: number): number;
  /** Alerting VMs running on a host or in a cluster. */
  alertingVmsIn(site: Site): number;
  isVmAlerting(vm: number): boolean;
}

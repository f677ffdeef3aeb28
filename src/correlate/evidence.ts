import type { Site } from '../topology/topology-index.js';
import type { FailingView } from './failing-dependents.js';

export type { CorrelationGraph } from '../topology/topology-index.js';

/**
 * What is alerting right now, across every open incident: which services alert, how many of a
 * service's direct dependents alert or are shown failing, and how many VMs on a host alert.
 * These judge whether a shared upstream or a shared host is a plausible common cause.
 */
export interface AlertingEvidence extends FailingView {
  /** Alerting VMs running on a host or in a cluster. */
  alertingVmsIn(site: Site): number;
  isVmAlerting(vm: number): boolean;
}

import type { Severity } from '../config/settings.js';

/** What the rules know of an incident that could take an event. */
export interface IncidentView {
  readonly id: number;
  /** new, investigating, identified, or monitoring (a candidate for reopening). */
  readonly status: string;
  readonly severity: Severity;
  readonly services: ReadonlySet<number>;
  /** Those of `services` listed only through a VM's cluster (see EventScope.context). */
  readonly context: ReadonlySet<number>;
  /** Infrastructure groups of its events (see EventFacts.group). */
  readonly groups: ReadonlyArray<ReadonlySet<number>>;
  readonly devices: ReadonlySet<number>;
  readonly vms: ReadonlySet<number>;
  /** Time of its latest event (ms since the epoch). */
  readonly lastEventAt: number;
  /** When it was resolved automatically (monitoring), else null. */
  readonly resolvedAt: number | null;
}

/** What the rules know of the event being decided. */
export interface EventFacts {
  readonly services: readonly number[];
  /** Those of `services` reached only through a VM's cluster. */
  readonly context: readonly number[];
  /** The services of a failing device, VM or cluster hosting several: an infrastructure group. */
  readonly group: readonly number[] | null;
  readonly devices: readonly number[];
  readonly vms: readonly number[];
  readonly criticality: Severity;
  /** The event's own time: its alert timestamp, else its receipt (ms since the epoch). */
  readonly time: number;
}

/** The five terms of a score, each as it entered the sum. */
export interface ScoreComponents {
  readonly service_overlap: number;
  readonly dependency: number;
  readonly infrastructure: number;
  readonly time_factor: number;
  readonly severity_bonus: number;
  /** Faultline rule: how much the shared cause behind the dependency term counts (0..1). */
  readonly specificity?: number;
}

export interface ScoredCandidate {
  readonly incident_id: number;
  readonly score: number;
  readonly components: ScoreComponents;
  /** Why the dependency term has its value, in words. */
  readonly relation: string;
  /** Hops to the nearest related alerting service (Infinity when none): the first tie-break. */
  readonly distance: number;
}

export interface CorrelationSettings {
  readonly windowMinutes: number;
  readonly threshold: number;
}

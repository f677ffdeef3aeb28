/** Every weight of the correlation score, in one place. */
export const WEIGHTS = {
  /** Added when the event shares a service with the incident. */
  serviceOverlap: 0.8,
  /** Times the dependency strength (1.0 same service, 0.8 dependent, 0.5 common upstream). */
  dependency: 0.6,
  /** Times the share of the event's devices and VMs already in the incident. */
  infrastructure: 0.4,
  /** Added when the event's criticality equals the incident's severity. */
  severityBonus: 0.1,
} as const;

export const DEPENDENCY_STRENGTH = {
  sameService: 1.0,
  dependent: 0.8,
  commonUpstream: 0.5,
} as const;

/** After the correlation window the time factor falls linearly over this many minutes… */
export const TIME_DECAY_MINUTES = 90;
/** …down to this floor. */
export const TIME_FACTOR_FLOOR = 0.5;

/** How many of the best candidates a decision record keeps. */
export const RECORDED_CANDIDATES = 5;

// The Faultline rule's tuning: how much failure makes a silent upstream a cause, and which
// shared upstreams may bring candidates. The plugin rule uses none of these.

/** Share of a silent cause's direct dependents that must fail for it to count fully. */
export const FULL_CAUSE_SHARE = 0.5;

/**
 * Fewest alerting direct dependents that show a silent service failing: one alert alone may be
 * that dependent's own failure (the same test a failing host or cluster passes).
 */
export const SHOWN_FAILING_MIN = 2;

/** Shared upstreams below this specificity cannot bring a candidate near any threshold. */
export const CANDIDATE_SPECIFICITY = 0.2;
/** Only the most specific shared upstreams of an event bring candidates. */
export const CANDIDATE_CAUSES = 4;

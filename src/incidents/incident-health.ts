import type { Clock } from '../clock.js';
import {
  computeServiceHealth,
  type HealthOrigins,
  type ServiceHealth,
} from '../topology/service-health.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import type { AutomationIndexes } from './automation-indexes.js';
import type { IncidentIndex, IncidentState } from './incident-index.js';
import { OPEN_INCIDENT_STATUSES, type IncidentStatus } from './incident-spec.js';

const isOpen = (status: string) => OPEN_INCIDENT_STATUSES.includes(status as IncidentStatus);

/**
 * The root causes an incident stands behind: its most probable one (ranked first) and any other
 * that is itself failing. The rest of the ranking are runners-up, listed so that a person can
 * look one level up: hypotheses, not failures, so they make nothing down and start no walk.
 */
export function probableRootCauses(
  rootCauses: readonly number[],
  failing: ReadonlySet<number>,
): number[] {
  return rootCauses.filter((service, rank) => rank === 0 || failing.has(service));
}

/** What the health reads of an incident; an IncidentState fits. */
export type HealthSource = Pick<IncidentState, 'id' | 'status' | 'services' | 'context'> & {
  readonly rootCauses: readonly number[];
};

/**
 * The services open incidents (new, investigating, identified) make down: their probable root
 * causes and the services they list as failing. Services listed only as context (through a
 * VM's cluster) are not: the incident holds no sign that they fail. Dependents are not listed
 * by incidents, so they get their health from the propagation, which honours redundancy.
 */
export function healthOrigins(incidents: Iterable<HealthSource>): HealthOrigins {
  const down = new Map<number, number[]>();
  const mark = (service: number, incident: number) => {
    const list = down.get(service);
    if (list === undefined) down.set(service, [incident]);
    else if (list[list.length - 1] !== incident) list.push(incident);
  };
  const ordered = [...incidents].sort((a, b) => a.id - b.id);
  for (const state of ordered) {
    if (!isOpen(state.status)) continue;
    const failing = new Set([...state.services].filter((s) => !state.context.has(s)));
    for (const service of probableRootCauses(state.rootCauses, failing)) mark(service, state.id);
    for (const service of failing) mark(service, state.id);
  }
  return { down };
}

interface Memo {
  readonly topology: TopologyIndex;
  readonly incidents: IncidentIndex;
  readonly version: number;
  readonly health: ServiceHealth;
}

/**
 * The health of every service for the automation's current indexes, memoised: it is computed
 * again only when the topology or the incidents changed (a new index object or a new
 * incident_version) or when a maintenance window started or ended since. While a decision
 * transaction holds changes not yet committed, the answer is computed afresh and not kept.
 */
export class ServiceHealthTracker {
  private memo: Memo | null = null;

  constructor(
    private readonly indexes: AutomationIndexes,
    private readonly clock: Clock,
  ) {}

  /** Call where the indexes are current: inside a decision, or through CurrentIndexes. */
  current(): ServiceHealth {
    const now = this.clock.now().getTime();
    const { topology, incidents } = this.indexes;
    const memo = this.memo;
    const settled = !this.indexes.uncommitted;
    if (
      settled &&
      memo !== null &&
      memo.topology === topology &&
      memo.incidents === incidents &&
      memo.version === incidents.version &&
      memo.health.holdsAt(now)
    ) {
      return memo.health;
    }
    const health = computeServiceHealth(topology, healthOrigins(incidents.incidents.values()), now);
    if (settled) this.memo = { topology, incidents, version: incidents.version, health };
    return health;
  }

  /**
   * The health over incidents read apart from the indexes (by a transaction the indexes do not
   * follow), computed afresh and not kept.
   */
  of(topology: TopologyIndex, incidents: Iterable<HealthSource>): ServiceHealth {
    return computeServiceHealth(topology, healthOrigins(incidents), this.clock.now().getTime());
  }
}

import { maintenanceCoverage, type MaintenanceCoverage } from './maintenance-coverage.js';
import type { MaintenanceWindow, ServiceNode, TopologyIndex } from './topology-index.js';

export const HEALTH_STATUSES = ['healthy', 'degraded', 'under_maintenance', 'down'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** What a service's dependents see of it: 0 nothing, 1 impaired (degraded, maintenance), 2 down. */
export type Impact = 0 | 1 | 2;
const NONE = 0;
const IMPAIRED = 1;
const DOWN = 2;

export const impactOf = (status: HealthStatus | undefined): Impact =>
  status === undefined || status === 'healthy' ? NONE : status === 'down' ? DOWN : IMPAIRED;

/** How bad each status is for a business application, worst last. */
const APP_ORDER: Readonly<Record<HealthStatus, number>> = {
  healthy: 0,
  degraded: 1,
  under_maintenance: 2,
  down: 3,
};

/** What fails on its own, before propagation: the services of open incidents. */
export interface HealthOrigins {
  /** Services down because an open incident names them: service → those incidents' ids. */
  readonly down: ReadonlyMap<number, readonly number[]>;
}

/** Why one service is not healthy on its own account (not through its upstreams). */
export type OwnCause =
  | { readonly kind: 'incident'; readonly incidents: readonly number[] }
  | { readonly kind: 'maintenance'; readonly window: MaintenanceWindow };

/**
 * The health of a service from its upstream dependencies (normal ones one by one, redundancy
 * ones by group name), given the statuses known so far.
 */
export function impactFromUpstreams(
  node: ServiceNode,
  statusOf: (service: number) => HealthStatus | undefined,
): Impact {
  let worst: Impact = NONE;
  let groups: Map<string, { members: number; down: number; impaired: boolean }> | undefined;
  for (const edge of node.upstream) {
    const impact = impactOf(statusOf(edge.service));
    if (edge.type === 'normal') {
      if (impact === DOWN) return DOWN;
      if (impact > worst) worst = impact;
      continue;
    }
    groups ??= new Map();
    const group = groups.get(edge.name) ?? { members: 0, down: 0, impaired: false };
    group.members += 1;
    if (impact === DOWN) group.down += 1;
    else if (impact === IMPAIRED) group.impaired = true;
    groups.set(edge.name, group);
  }
  for (const group of groups?.values() ?? []) {
    if (group.down === group.members) return DOWN;
    if (group.down > 0 || group.impaired) worst = IMPAIRED;
  }
  return worst;
}

/**
 * Health of every service and business application at one moment, from one topology and the
 * open incidents. Only the services that are not healthy are stored: everything else is healthy.
 * Immutable once computed; `validFrom`/`validUntil` bound the times at which the maintenance
 * windows it saw are still active or inactive as they were.
 */
export class ServiceHealth {
  constructor(
    readonly topology: TopologyIndex,
    private readonly statuses: ReadonlyMap<number, HealthStatus>,
    private readonly own: ReadonlyMap<number, OwnCause>,
    private readonly coverage: MaintenanceCoverage,
  ) {}

  /** The first time (ms) at which this answer holds, as far as maintenance windows go. */
  get validFrom(): number {
    return this.coverage.validFrom;
  }

  /** The first time (ms) at which a maintenance window starts or ends after this answer. */
  get validUntil(): number {
    return this.coverage.validUntil;
  }

  /** True when the maintenance windows are active or inactive at `time` as they were. */
  holdsAt(time: number): boolean {
    return this.validFrom <= time && time < this.validUntil;
  }

  status(service: number): HealthStatus {
    return this.statuses.get(service) ?? 'healthy';
  }

  /** Why a service is not healthy on its own account; null when it is healthy or only follows. */
  ownCause(service: number): OwnCause | null {
    return this.own.get(service) ?? null;
  }

  /** The services that are not healthy, with their status. */
  unhealthy(): ReadonlyMap<number, HealthStatus> {
    return this.statuses;
  }

  /**
   * A business application is down when one of its services is down; under maintenance when it
   * is inside an active window itself or one of its services is (and none is down); degraded
   * when one of its services is degraded; healthy otherwise (also with no services).
   */
  appStatus(app: number): HealthStatus {
    let worst: HealthStatus = this.coverage.apps.has(app) ? 'under_maintenance' : 'healthy';
    for (const service of this.topology.servicesByApp.get(app) ?? []) {
      const status = this.status(service);
      if (APP_ORDER[status] > APP_ORDER[worst]) worst = status;
    }
    return worst;
  }

  /** The active maintenance window on a business application itself, if any. */
  appMaintenance(app: number): MaintenanceWindow | null {
    return this.coverage.apps.get(app) ?? null;
  }
}

/** Services down by an incident, then services inside an active maintenance window. */
function ownStatuses(
  topology: TopologyIndex,
  origins: HealthOrigins,
  coverage: MaintenanceCoverage,
): Map<number, OwnCause> {
  const own = new Map<number, OwnCause>();
  for (const [service, incidents] of origins.down) {
    if (topology.services.has(service)) own.set(service, { kind: 'incident', incidents });
  }
  for (const [service, window] of coverage.services) {
    if (!own.has(service)) own.set(service, { kind: 'maintenance', window });
  }
  return own;
}

/**
 * Computes the health of the whole graph at `now`.
 *
 * A service is down when an open incident names it (origins), under maintenance when it or its
 * infrastructure is inside an active window (see maintenanceCoverage), and otherwise follows its
 * upstreams: through a normal dependency, an upstream that is down makes it down and one that is
 * degraded or under maintenance makes it degraded; a redundancy group (dependencies of one name)
 * makes it down when all members are down and degraded when some are down or any is degraded or
 * under maintenance.
 *
 * Statuses only worsen as the failures spread, so the answer is the least fixed point reached
 * from the failing services outwards: a worklist visits only the services downstream of a
 * failure, each one at most a few times (healthy → degraded → down). A dependency cycle is
 * visited like any other edge and cannot loop. Cost: linear in the affected subgraph and the
 * number of maintenance windows, not in the size of the graph.
 */
export function computeServiceHealth(
  topology: TopologyIndex,
  origins: HealthOrigins,
  now: number,
): ServiceHealth {
  const coverage = maintenanceCoverage(topology, now);
  const own = ownStatuses(topology, origins, coverage);
  const statuses = new Map<number, HealthStatus>();
  for (const [service, cause] of own) {
    statuses.set(service, cause.kind === 'incident' ? 'down' : 'under_maintenance');
  }

  const queue: number[] = [];
  const queued = new Set<number>();
  const enqueueDependents = (service: number) => {
    for (const edge of topology.services.get(service)?.downstream ?? []) {
      if (own.has(edge.service) || queued.has(edge.service)) continue;
      queued.add(edge.service);
      queue.push(edge.service);
    }
  };
  own.forEach((_cause, service) => enqueueDependents(service));

  for (let head = 0; head < queue.length; head++) {
    const service = queue[head]!;
    queued.delete(service);
    const node = topology.services.get(service)!;
    const impact = impactFromUpstreams(node, (s) => statuses.get(s));
    if (impact <= impactOf(statuses.get(service))) continue;
    statuses.set(service, impact === DOWN ? 'down' : 'degraded');
    enqueueDependents(service);
  }
  return new ServiceHealth(topology, statuses, own, coverage);
}

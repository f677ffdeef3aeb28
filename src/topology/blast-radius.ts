/**
 * The blast radius of an incident: what its root causes reach downstream, within the dependency
 * depth, with the health of each service and the business applications it reaches.
 *
 *   blastRadius(topology, incident, health): BlastRadius
 *   blastRadiusSummary(topology, incident, health): BlastRadiusSummary
 *   summarizeRadius(topology, radius, health): BlastRadiusSummary
 *   downstreamApplications(topology, sources, health): ReachedApp[]
 *
 * `topology` is the in-memory TopologyIndex (its maxDepth bounds the walk), `incident` anything
 * with `services`, `rootCauses` and optionally `context`, `devices`, `vms` (an IncidentState
 * fits), `health` a ServiceHealth (computeServiceHealth, or ServiceHealthTracker.current() in
 * src/incidents/incident-health.ts for the memoised one of the current indexes). All are pure
 * and cost what the walk touches: the downstream closure of where they start, within maxDepth.
 */
import type { HealthStatus, ServiceHealth } from './service-health.js';
import type { TopologyIndex } from './topology-index.js';

/** What the blast radius reads of an incident; an IncidentState fits. */
export interface IncidentFootprint {
  readonly services: Iterable<number>;
  readonly rootCauses: readonly number[];
  /** Services listed only through a VM's cluster: affected, not failing themselves. */
  readonly context?: ReadonlySet<number>;
  readonly devices?: Iterable<number>;
  readonly vms?: Iterable<number>;
}

/** A service reached from the incident's failing services. */
export interface ReachedService {
  readonly service: number;
  readonly status: HealthStatus;
  /** Dependency hops from the service the walk started at (0 for that service). */
  readonly depth: number;
  /** Service ids from the service the walk started at (a root cause when one reaches it). */
  readonly path: readonly number[];
  /** The dependency ids between consecutive services of `path`. */
  readonly dependencies: readonly number[];
  /** Listed on the incident. */
  readonly affected: boolean;
}

/** A business application one of the reached services belongs to. */
export interface ReachedApp {
  readonly app: number;
  readonly status: HealthStatus;
  /** The reached service of this application nearest to the failure. */
  readonly via: number;
  readonly depth: number;
}

export interface BlastRadius {
  readonly rootCauses: readonly ReachedService[];
  /** The incident's services, failing ones first; `context` ones listed too. */
  readonly affected: readonly number[];
  /** Services reached downstream within maxDepth (not where the walk started), nearest first. */
  readonly downstream: readonly ReachedService[];
  readonly apps: readonly ReachedApp[];
  readonly devices: readonly number[];
  readonly vms: readonly number[];
}

/** Counts and application names, shaped for a JSON body (webhooks). */
export interface BlastRadiusSummary {
  readonly counts: {
    readonly root_causes: number;
    readonly affected_services: number;
    readonly downstream_services: number;
    readonly services_down: number;
    readonly services_degraded: number;
    readonly services_under_maintenance: number;
    readonly business_applications: number;
    readonly devices: number;
    readonly virtual_machines: number;
  };
  /** Names of the business applications reached, by appcode. */
  readonly business_applications: readonly string[];
}

interface Visit {
  readonly depth: number;
  readonly from: number | null;
  readonly dependency: number | null;
  readonly source: boolean;
}

/** Breadth-first downstream from `sources` within maxDepth, skipping services already seen. */
function walkDownstream(
  topology: TopologyIndex,
  sources: readonly number[],
  seen: Map<number, Visit>,
): void {
  let frontier = sources.filter((s) => topology.services.has(s) && !seen.has(s));
  for (const source of frontier) {
    seen.set(source, { depth: 0, from: null, dependency: null, source: true });
  }
  for (let depth = 1; depth <= topology.maxDepth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const id of frontier) {
      for (const edge of topology.services.get(id)!.downstream) {
        if (seen.has(edge.service)) continue;
        seen.set(edge.service, { depth, from: id, dependency: edge.dependency, source: false });
        next.push(edge.service);
      }
    }
    frontier = next;
  }
}

function reached(
  service: number,
  seen: ReadonlyMap<number, Visit>,
  health: ServiceHealth,
  affected: ReadonlySet<number>,
): ReachedService {
  const path: number[] = [service];
  const dependencies: number[] = [];
  for (let visit = seen.get(service); visit?.from != null; visit = seen.get(visit.from)) {
    path.unshift(visit.from);
    dependencies.unshift(visit.dependency!);
  }
  const depth = seen.get(service)?.depth ?? 0;
  const status = health.status(service);
  return { service, status, depth, path, dependencies, affected: affected.has(service) };
}

function reachedApps(
  topology: TopologyIndex,
  services: readonly ReachedService[],
  health: ServiceHealth,
): ReachedApp[] {
  const apps = new Map<number, ReachedApp>();
  for (const entry of services) {
    for (const app of topology.services.get(entry.service)?.apps ?? []) {
      const known = apps.get(app);
      if (known !== undefined && known.depth <= entry.depth) continue;
      apps.set(app, { app, status: health.appStatus(app), via: entry.service, depth: entry.depth });
    }
  }
  const code = (a: ReachedApp) => topology.apps.get(a.app)?.appcode ?? '';
  return [...apps.values()].sort((a, b) => code(a).localeCompare(code(b)));
}

/**
 * The blast radius of an incident. The walk starts at the root causes (or, without any, at the
 * incident's failing services), then at any failing service they do not reach; context services
 * are listed but do not start a walk.
 */
export function blastRadius(
  topology: TopologyIndex,
  incident: IncidentFootprint,
  health: ServiceHealth,
): BlastRadius {
  const affected = new Set(incident.services);
  const context = incident.context ?? new Set<number>();
  const failing = [...affected].filter((s) => !context.has(s)).sort((a, b) => a - b);
  const roots = incident.rootCauses.filter((s) => topology.services.has(s));

  const seen = new Map<number, Visit>();
  walkDownstream(topology, roots.length > 0 ? roots : failing, seen);
  walkDownstream(topology, failing, seen);

  const name = (s: number) => topology.services.get(s)?.name ?? '';
  const entries = new Map([...seen.keys()].map((s) => [s, reached(s, seen, health, affected)]));
  const downstream = [...entries.values()]
    .filter((e) => !seen.get(e.service)!.source)
    .sort((a, b) => a.depth - b.depth || name(a.service).localeCompare(name(b.service)));
  const listed = [...failing, ...[...context].filter((s) => affected.has(s)).sort((a, b) => a - b)];
  return {
    rootCauses: roots.map((s) => entries.get(s)!),
    affected: listed,
    downstream,
    apps: reachedApps(topology, [...entries.values()], health),
    devices: [...new Set(incident.devices ?? [])].sort((a, b) => a - b),
    vms: [...new Set(incident.vms ?? [])].sort((a, b) => a - b),
  };
}

/**
 * The business applications reached from `sources` (a device's or cluster's services, say):
 * those of the sources themselves and of the services within maxDepth downstream of them, each
 * with the nearest service it is reached through. Cost: the sources' downstream closure.
 */
export function downstreamApplications(
  topology: TopologyIndex,
  sources: readonly number[],
  health: ServiceHealth,
): ReachedApp[] {
  const seen = new Map<number, Visit>();
  walkDownstream(
    topology,
    [...new Set(sources)].sort((a, b) => a - b),
    seen,
  );
  const none = new Set<number>();
  const entries = [...seen.keys()].map((s) => reached(s, seen, health, none));
  return reachedApps(topology, entries, health);
}

/** The counts of a blast radius, by status of the services it names. */
export function radiusCounts(
  radius: BlastRadius,
  health: ServiceHealth,
): BlastRadiusSummary['counts'] {
  const services = new Set([
    ...radius.rootCauses.map((r) => r.service),
    ...radius.affected,
    ...radius.downstream.map((r) => r.service),
  ]);
  const countOf = (status: HealthStatus) =>
    [...services].filter((s) => health.status(s) === status).length;
  return {
    root_causes: radius.rootCauses.length,
    affected_services: radius.affected.length,
    downstream_services: radius.downstream.length,
    services_down: countOf('down'),
    services_degraded: countOf('degraded'),
    services_under_maintenance: countOf('under_maintenance'),
    business_applications: radius.apps.length,
    devices: radius.devices.length,
    virtual_machines: radius.vms.length,
  };
}

/** The counts and business application names of a blast radius computed already. */
export function summarizeRadius(
  topology: TopologyIndex,
  radius: BlastRadius,
  health: ServiceHealth,
): BlastRadiusSummary {
  return {
    counts: radiusCounts(radius, health),
    business_applications: radius.apps.map((a) => topology.apps.get(a.app)?.name ?? ''),
  };
}

/** The counts and business application names of an incident's blast radius. */
export function blastRadiusSummary(
  topology: TopologyIndex,
  incident: IncidentFootprint,
  health: ServiceHealth,
): BlastRadiusSummary {
  return summarizeRadius(topology, blastRadius(topology, incident, health), health);
}

import {
  impactOf,
  type HealthStatus,
  type OwnCause,
  type ServiceHealth,
} from './service-health.js';
import type { DependencyEdge, ServiceNode } from './topology-index.js';

/** How the members of a redundancy group stand. */
export interface GroupState {
  readonly members: number;
  readonly down: number;
  /** Members degraded or under maintenance. */
  readonly impaired: number;
}

/** One dependency along the path of a health explanation, from upstream to downstream. */
export interface HealthHop {
  readonly dependency: number;
  readonly type: 'normal' | 'redundancy';
  /** The dependency's name: for a redundancy dependency, its group. */
  readonly name: string;
  /** For a redundancy dependency: its group, as the downstream service sees it. */
  readonly group: GroupState | null;
}

/** Why a service has its health. */
export interface HealthExplanation {
  readonly service: number;
  readonly status: HealthStatus;
  /** The service whose own incident or maintenance the status comes from; null when healthy. */
  readonly origin: number | null;
  /** The origin's own cause: the open incidents naming it, or its maintenance window. */
  readonly cause: OwnCause | null;
  /** Service ids from the origin to the service; just the service when it is its own origin. */
  readonly path: readonly number[];
  /** The dependencies between consecutive services of `path`. */
  readonly hops: readonly HealthHop[];
}

interface Group extends GroupState {
  readonly edges: DependencyEdge[];
}

/** The redundancy groups of a service's upstream dependencies, by name. */
function groupsOf(node: ServiceNode, health: ServiceHealth): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const edge of node.upstream) {
    if (edge.type !== 'redundancy') continue;
    const impact = impactOf(health.status(edge.service));
    const group = groups.get(edge.name) ?? { members: 0, down: 0, impaired: 0, edges: [] };
    groups.set(edge.name, {
      members: group.members + 1,
      down: group.down + (impact === 2 ? 1 : 0),
      impaired: group.impaired + (impact === 1 ? 1 : 0),
      edges: [...group.edges, edge],
    });
  }
  return groups;
}

/**
 * The upstream dependencies that account for a service's status: for a service down, a normal
 * upstream that is down or every member of a group that is all down; for a degraded one, a
 * normal upstream degraded or under maintenance, or the failing members of a partly failing
 * group.
 */
function explainingEdges(node: ServiceNode, health: ServiceHealth): DependencyEdge[] {
  const wanted = impactOf(health.status(node.id));
  const out: DependencyEdge[] = [];
  for (const edge of node.upstream) {
    if (edge.type === 'normal' && impactOf(health.status(edge.service)) === wanted) out.push(edge);
  }
  for (const group of groupsOf(node, health).values()) {
    const whole = group.down === group.members;
    if (wanted === 2 ? !whole : whole || group.down + group.impaired === 0) continue;
    out.push(...group.edges.filter((edge) => impactOf(health.status(edge.service)) > 0));
  }
  return out;
}

/**
 * Explains the health of `service`: the nearest service upstream whose own open incident or
 * maintenance window made it so, and the dependency path from there. Statuses only spread
 * downstream from such services, so a path exists for every service that is not healthy; the
 * breadth-first search upstream visits each service at most once, so a cycle cannot loop, and
 * it costs what the unhealthy part of the service's upstream graph holds.
 */
export function explainHealth(health: ServiceHealth, service: number): HealthExplanation {
  const status = health.status(service);
  const topology = health.topology;
  const unexplained = { service, status, origin: null, cause: null, path: [service], hops: [] };
  if (status === 'healthy') return { ...unexplained, path: [] };

  // For each service reached upstream: the service below it and the dependency that led there.
  const below = new Map<number, { service: number; edge: DependencyEdge } | null>();
  below.set(service, null);
  const queue = [service];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    const cause = health.ownCause(id);
    if (cause !== null) return { ...trace(health, below, id), service, status, cause };
    const node = topology.services.get(id);
    for (const edge of node === undefined ? [] : explainingEdges(node, health)) {
      if (below.has(edge.service)) continue;
      below.set(edge.service, { service: id, edge });
      queue.push(edge.service);
    }
  }
  return unexplained;
}

/** The path from `origin` down to the service the search started at. */
function trace(
  health: ServiceHealth,
  below: ReadonlyMap<number, { service: number; edge: DependencyEdge } | null>,
  origin: number,
): Pick<HealthExplanation, 'origin' | 'path' | 'hops'> {
  const path = [origin];
  const hops: HealthHop[] = [];
  for (let step = below.get(origin); step != null; step = below.get(step.service)) {
    const { edge } = step;
    const node = health.topology.services.get(step.service)!;
    const group = edge.type === 'redundancy' ? groupsOf(node, health).get(edge.name)! : null;
    hops.push({
      dependency: edge.dependency,
      type: edge.type,
      name: edge.name,
      group:
        group === null
          ? null
          : { members: group.members, down: group.down, impaired: group.impaired },
    });
    path.push(step.service);
  }
  return { origin, path, hops };
}

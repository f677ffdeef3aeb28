import type { HealthStatus, ServiceHealth } from './service-health.js';
import type { DependencyEdge, ServiceNode } from './topology-index.js';

/** A service of a dependency graph, placed relative to the service the graph is drawn around. */
export interface GraphNode {
  readonly service: number;
  readonly status: HealthStatus;
  readonly role: 'self' | 'upstream' | 'downstream';
  /** Dependency hops from the centre (0 for the centre). */
  readonly depth: number;
}

/** A dependency between two nodes of the graph: `downstream` depends on `upstream`. */
export interface GraphLink {
  readonly dependency: number;
  readonly upstream: number;
  readonly downstream: number;
  readonly type: 'normal' | 'redundancy';
  readonly name: string;
  /** The health of the upstream end: what the dependent sees through this link. */
  readonly status: HealthStatus;
}

export interface DependencyGraph {
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
}

/** Breadth-first from `start` along `next` within `depth` hops; the start itself excluded. */
function reach(
  start: ServiceNode,
  depth: number,
  services: ReadonlyMap<number, ServiceNode>,
  next: (node: ServiceNode) => readonly DependencyEdge[],
): Map<number, number> {
  const seen = new Map<number, number>([[start.id, 0]]);
  let frontier = [start];
  for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
    const following: ServiceNode[] = [];
    for (const node of frontier) {
      for (const edge of next(node)) {
        const other = services.get(edge.service);
        if (other === undefined || seen.has(other.id)) continue;
        seen.set(other.id, hop);
        following.push(other);
      }
    }
    frontier = following;
  }
  seen.delete(start.id);
  return seen;
}

/**
 * The services within `depth` hops upstream and downstream of `service`, and every dependency
 * between two of them, each with its health: what the UI draws around one service. A service
 * reached both ways (only a cycle does that) takes the nearer role, upstream on a tie. Cost:
 * the services reached and their dependencies; null when the service is unknown.
 */
export function dependencyGraph(
  health: ServiceHealth,
  service: number,
  depth: number,
): DependencyGraph | null {
  const services = health.topology.services;
  const centre = services.get(service);
  if (centre === undefined) return null;

  const up = reach(centre, depth, services, (node) => node.upstream);
  const down = reach(centre, depth, services, (node) => node.downstream);
  const nodes = new Map<number, GraphNode>();
  const place = (id: number, role: GraphNode['role'], hops: number) =>
    nodes.set(id, { service: id, status: health.status(id), role, depth: hops });
  place(service, 'self', 0);
  for (const [id, hops] of up) place(id, 'upstream', hops);
  for (const [id, hops] of down) {
    if ((up.get(id) ?? Infinity) > hops) place(id, 'downstream', hops);
  }

  const included = new Set(nodes.keys());
  const links: GraphLink[] = [];
  for (const id of included) {
    for (const edge of services.get(id)!.upstream) {
      if (!included.has(edge.service)) continue;
      links.push({
        dependency: edge.dependency,
        upstream: edge.service,
        downstream: id,
        type: edge.type,
        name: edge.name,
        status: health.status(edge.service),
      });
    }
  }
  links.sort((a, b) => a.dependency - b.dependency);
  const rank = { self: 0, upstream: 1, downstream: 2 } as const;
  const ordered = [...nodes.values()].sort(
    (a, b) => rank[a.role] - rank[b.role] || a.depth - b.depth || a.service - b.service,
  );
  return { nodes: ordered, links };
}

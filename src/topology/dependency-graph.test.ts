import { describe, expect, it } from 'vitest';

import { dependencyGraph } from './dependency-graph.js';
import { computeServiceHealth } from './service-health.js';
import { TopologyIndex } from './topology-index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

/**
 * net (1) → db (2) → api (3) → web (4) → edge (5); lb-a (6) and lb-b (7) are the redundancy
 * group `lbs` of web; api → cron (8) → api closes a cycle.
 */
function chain(): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  ['net', 'db', 'api', 'web', 'edge', 'lb-a', 'lb-b', 'cron'].forEach((name, i) =>
    index.addService(i + 1, name),
  );
  index.addDependency(11, 1, 2, 'normal', 'db-net');
  index.addDependency(12, 2, 3, 'normal', 'api-db');
  index.addDependency(13, 3, 4, 'normal', 'web-api');
  index.addDependency(14, 4, 5, 'normal', 'edge-web');
  index.addDependency(15, 6, 4, 'redundancy', 'lbs');
  index.addDependency(16, 7, 4, 'redundancy', 'lbs');
  index.addDependency(17, 3, 8, 'normal', 'cron-api');
  index.addDependency(18, 8, 3, 'normal', 'api-cron');
  return index;
}

describe('dependency graph', () => {
  it('draws the services within the depth both ways, with health and roles', () => {
    const health = computeServiceHealth(chain(), { down: new Map([[6, [1]]]) }, NOW);
    const graph = dependencyGraph(health, 4, 1)!;

    expect(graph.nodes.map((n) => [n.service, n.role, n.depth, n.status])).toEqual([
      [4, 'self', 0, 'degraded'],
      [3, 'upstream', 1, 'healthy'],
      [6, 'upstream', 1, 'down'],
      [7, 'upstream', 1, 'healthy'],
      [5, 'downstream', 1, 'degraded'],
    ]);
    expect(graph.links.map((l) => [l.dependency, l.upstream, l.downstream, l.type])).toEqual([
      [13, 3, 4, 'normal'],
      [14, 4, 5, 'normal'],
      [15, 6, 4, 'redundancy'],
      [16, 7, 4, 'redundancy'],
    ]);
    expect(graph.links.find((l) => l.dependency === 15)).toMatchObject({
      name: 'lbs',
      status: 'down',
    });
    expect(graph.links.find((l) => l.dependency === 14)?.status).toBe('degraded');
  });

  it('goes as deep as asked', () => {
    const health = computeServiceHealth(chain(), { down: new Map() }, NOW);
    const shallow = dependencyGraph(health, 3, 1)!;
    const deep = dependencyGraph(health, 3, 3)!;
    expect(shallow.nodes.map((n) => n.service).sort()).toEqual([2, 3, 4, 8]);
    // Only what lies up or down from the service: the load balancers of web are neither.
    expect(deep.nodes.map((n) => n.service).sort()).toEqual([1, 2, 3, 4, 5, 8]);
  });

  it('places a service of a cycle once, upstream on a tie, and keeps both links', () => {
    const health = computeServiceHealth(chain(), { down: new Map() }, NOW);
    const graph = dependencyGraph(health, 3, 2)!;
    expect(graph.nodes.filter((n) => n.service === 8)).toEqual([
      { service: 8, status: 'healthy', role: 'upstream', depth: 1 },
    ]);
    expect(graph.links.filter((l) => [17, 18].includes(l.dependency))).toHaveLength(2);
  });

  it('knows no unknown service', () => {
    const health = computeServiceHealth(chain(), { down: new Map() }, NOW);
    expect(dependencyGraph(health, 99, 2)).toBeNull();
  });
});

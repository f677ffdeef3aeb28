import { describe, expect, it } from 'vitest';

import { explainHealth } from './health-explanation.js';
import { computeServiceHealth } from './service-health.js';
import { TopologyIndex } from './topology-index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

/**
 * db (1) → api (2) → web (3); lb-a (4) and lb-b (5) are the redundancy group `lbs` of web;
 * cache (6) → api too. A cycle: loop-a (7) ⇄ loop-b (8), fed by db.
 */
function shop(): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  ['db', 'api', 'web', 'lb-a', 'lb-b', 'cache', 'loop-a', 'loop-b'].forEach((name, i) =>
    index.addService(i + 1, name),
  );
  index.addDependency(11, 1, 2, 'normal', 'api-db');
  index.addDependency(12, 2, 3, 'normal', 'web-api');
  index.addDependency(13, 4, 3, 'redundancy', 'lbs');
  index.addDependency(14, 5, 3, 'redundancy', 'lbs');
  index.addDependency(15, 6, 2, 'normal', 'api-cache');
  index.addDependency(16, 1, 7, 'normal', 'loop-db');
  index.addDependency(17, 7, 8, 'normal', 'loop-ab');
  index.addDependency(18, 8, 7, 'normal', 'loop-ba');
  return index;
}

const down = (...pairs: Array<[number, number]>) => ({
  down: new Map(pairs.map(([s, i]) => [s, [i]])),
});

describe('health explanation', () => {
  it('says nothing more of a healthy service', () => {
    const index = shop();
    const explanation = explainHealth(computeServiceHealth(index, down(), NOW), 3);
    expect(explanation).toEqual({
      service: 3,
      status: 'healthy',
      origin: null,
      cause: null,
      path: [],
      hops: [],
    });
  });

  it('names the incidents of a service down on its own account', () => {
    const explanation = explainHealth(computeServiceHealth(shop(), down([1, 7]), NOW), 1);
    expect(explanation).toMatchObject({
      status: 'down',
      origin: 1,
      cause: { kind: 'incident', incidents: [7] },
      path: [1],
      hops: [],
    });
  });

  it('follows normal dependencies up to the failing service', () => {
    const explanation = explainHealth(computeServiceHealth(shop(), down([1, 7]), NOW), 3);
    expect(explanation.status).toBe('down');
    expect(explanation.origin).toBe(1);
    expect(explanation.path).toEqual([1, 2, 3]);
    expect(explanation.hops.map((h) => [h.dependency, h.type, h.group])).toEqual([
      [11, 'normal', null],
      [12, 'normal', null],
    ]);
  });

  it('shows the state of a redundancy group that only degrades', () => {
    const explanation = explainHealth(computeServiceHealth(shop(), down([5, 3]), NOW), 3);
    expect(explanation).toMatchObject({
      status: 'degraded',
      origin: 5,
      cause: { kind: 'incident', incidents: [3] },
      path: [5, 3],
    });
    expect(explanation.hops).toEqual([
      {
        dependency: 14,
        type: 'redundancy',
        name: 'lbs',
        group: { members: 2, down: 1, impaired: 0 },
      },
    ]);
  });

  it('prefers the upstream that explains a down status over one that only degrades', () => {
    const index = shop();
    // cache under maintenance would degrade api; db down makes it down.
    index.addMaintenance({
      id: 4,
      status: 'started',
      start: NOW - HOUR,
      end: NOW + HOUR,
      targetType: 'technical_service',
      targetId: 6,
    });
    const health = computeServiceHealth(index, down([1, 9]), NOW);
    expect(explainHealth(health, 2)).toMatchObject({ status: 'down', origin: 1, path: [1, 2] });

    const maintenanceOnly = computeServiceHealth(index, down(), NOW);
    const explanation = explainHealth(maintenanceOnly, 3);
    expect(explanation).toMatchObject({ status: 'degraded', origin: 6, path: [6, 2, 3] });
    expect(explanation.cause).toMatchObject({ kind: 'maintenance', window: { id: 4 } });
  });

  it('finds the way out of a cycle without looping', () => {
    const explanation = explainHealth(computeServiceHealth(shop(), down([1, 2]), NOW), 8);
    expect(explanation).toMatchObject({ status: 'down', origin: 1, path: [1, 7, 8] });
  });
});

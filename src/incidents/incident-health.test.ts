import { describe, expect, it } from 'vitest';

import { incidentState } from '../../test/support/incident-state.js';
import { ManualClock } from '../clock.js';
import { TopologyIndex } from '../topology/topology-index.js';
import type { AutomationIndexes } from './automation-indexes.js';
import { healthOrigins, probableRootCauses, ServiceHealthTracker } from './incident-health.js';
import { IncidentIndex, type IncidentState } from './incident-index.js';

/** net (1) → db (2) → api (3); vmware (4) is context of VM alerts. */
function topology(): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  ['net', 'db', 'api', 'vmware'].forEach((name, i) => index.addService(i + 1, name));
  index.addDependency(11, 1, 2, 'normal', 'db-net');
  index.addDependency(12, 2, 3, 'normal', 'api-db');
  return index;
}

function incident(
  id: number,
  status: string,
  services: number[],
  rootCauses: number[],
  context: number[] = [],
): IncidentState {
  return incidentState(id, services, { status, rootCauses, context: new Set(context) });
}

describe('health origins', () => {
  it('keeps the most probable root cause and failing ones, not the runners-up', () => {
    expect(probableRootCauses([2, 1, 5], new Set([2, 3]))).toEqual([2]);
    expect(probableRootCauses([1, 2, 3], new Set([2, 3]))).toEqual([1, 2, 3]);
    expect(probableRootCauses([], new Set([2]))).toEqual([]);
  });

  it('makes down what open incidents name, never their context or runners-up', () => {
    const graph = topology();
    const incidents = new IncidentIndex(1, graph);
    incidents.put(incident(1, 'new', [2, 3, 4], [2, 1], [4]));
    incidents.put(incident(2, 'investigating', [3], [3]));
    incidents.put(incident(3, 'monitoring', [1], [1]));

    const { down } = healthOrigins(incidents.incidents.values());

    expect([...down].sort((a, b) => a[0] - b[0])).toEqual([
      [2, [1]],
      [3, [1, 2]],
    ]);
  });
});

describe('service health tracker', () => {
  it('computes again only when the incidents, the topology or the time say so', () => {
    const graph = topology();
    graph.addMaintenance({
      id: 1,
      status: 'planned',
      start: Date.parse('2026-03-01T13:00:00Z'),
      end: Date.parse('2026-03-01T14:00:00Z'),
      targetType: 'technical_service',
      targetId: 1,
    });
    const incidents = new IncidentIndex(1, graph);
    const indexes = { topology: graph, incidents, uncommitted: false };
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const tracker = new ServiceHealthTracker(indexes as unknown as AutomationIndexes, clock);

    const first = tracker.current();
    expect(tracker.current()).toBe(first);

    incidents.put(incident(1, 'new', [3], [3]));
    incidents.version = 2;
    const second = tracker.current();
    expect(second).not.toBe(first);
    expect(second.status(3)).toBe('down');

    clock.set('2026-03-01T13:00:00Z');
    const third = tracker.current();
    expect(third).not.toBe(second);
    expect(third.status(2)).toBe('degraded');
    expect(tracker.current()).toBe(third);

    indexes.uncommitted = true;
    expect(tracker.current()).not.toBe(third);
  });
});

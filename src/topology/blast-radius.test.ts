import { describe, expect, it } from 'vitest';

import { blastRadius, blastRadiusSummary, downstreamApplications } from './blast-radius.js';
import { computeServiceHealth } from './service-health.js';
import { TopologyIndex } from './topology-index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

/**
 * db (1) → api (2) → web (3) → edge (4), db → reports (5); lb-a (6) and lb-b (7) are a
 * redundancy pair under web. Apps: SHOP on web, BI on reports, EDGE on edge. Depth 2.
 */
function shop(): TopologyIndex {
  const index = new TopologyIndex(1, 2);
  ['db', 'api', 'web', 'edge', 'reports', 'lb-a', 'lb-b'].forEach((name, i) =>
    index.addService(i + 1, name),
  );
  index.addDependency(11, 1, 2, 'normal', 'api-db');
  index.addDependency(12, 2, 3, 'normal', 'web-api');
  index.addDependency(13, 3, 4, 'normal', 'edge-web');
  index.addDependency(14, 1, 5, 'normal', 'reports-db');
  index.addDependency(15, 6, 3, 'redundancy', 'lbs');
  index.addDependency(16, 7, 3, 'redundancy', 'lbs');
  index.apps.set(1, { id: 1, appcode: 'SHOP', name: 'Online Shop' });
  index.apps.set(2, { id: 2, appcode: 'BI', name: 'Reporting' });
  index.apps.set(3, { id: 3, appcode: 'EDGE', name: 'Edge' });
  index.linkService(3, 'app', 1);
  index.linkService(5, 'app', 2);
  index.linkService(4, 'app', 3);
  return index;
}

describe('blast radius', () => {
  it('walks down from the root cause within the depth, with paths and health', () => {
    const index = shop();
    const health = computeServiceHealth(index, { down: new Map([[1, [9]]]) }, NOW);
    const radius = blastRadius(index, { services: [1, 2], rootCauses: [1], devices: [5] }, health);

    expect(radius.rootCauses.map((r) => r.service)).toEqual([1]);
    expect(radius.affected).toEqual([1, 2]);
    expect(radius.downstream.map((r) => [r.service, r.depth, r.status, r.affected])).toEqual([
      [2, 1, 'down', true],
      [5, 1, 'down', false],
      [3, 2, 'down', false],
    ]);
    const web = radius.downstream.find((r) => r.service === 3)!;
    expect(web.path).toEqual([1, 2, 3]);
    expect(web.dependencies).toEqual([11, 12]);
    // edge (depth 3) is beyond the depth, so its application is not reached.
    expect(radius.apps.map((a) => [a.app, a.via, a.status])).toEqual([
      [2, 5, 'down'],
      [1, 3, 'down'],
    ]);
    expect(radius.devices).toEqual([5]);
  });

  it('shows redundancy: one load balancer down degrades what depends on the pair', () => {
    const index = shop();
    const health = computeServiceHealth(index, { down: new Map([[6, [9]]]) }, NOW);
    const radius = blastRadius(index, { services: [6], rootCauses: [6] }, health);
    expect(radius.downstream.map((r) => [r.service, r.status])).toEqual([
      [3, 'degraded'],
      [4, 'degraded'],
    ]);
    expect(radius.apps.map((a) => [a.app, a.status])).toEqual([
      [3, 'degraded'],
      [1, 'degraded'],
    ]);
  });

  it('starts at failing services without root causes, never at context services', () => {
    const index = shop();
    const health = computeServiceHealth(index, { down: new Map([[5, [9]]]) }, NOW);
    const incident = { services: new Set([5, 4]), context: new Set([4]), rootCauses: [] };
    const radius = blastRadius(index, incident, health);
    expect(radius.rootCauses).toEqual([]);
    expect(radius.affected).toEqual([5, 4]);
    expect(radius.downstream).toEqual([]);
  });

  it('sums up counts and application names', () => {
    const index = shop();
    const health = computeServiceHealth(index, { down: new Map([[1, [9]]]) }, NOW);
    const summary = blastRadiusSummary(index, { services: [1, 2], rootCauses: [1] }, health);
    expect(summary).toEqual({
      counts: {
        root_causes: 1,
        affected_services: 2,
        downstream_services: 3,
        services_down: 4,
        services_degraded: 0,
        services_under_maintenance: 0,
        business_applications: 2,
        devices: 0,
        virtual_machines: 0,
      },
      business_applications: ['Reporting', 'Online Shop'],
    });
  });
});

describe('downstream applications', () => {
  it('lists the applications of the sources and of what depends on them, nearest first', () => {
    const index = shop();
    const health = computeServiceHealth(index, { down: new Map([[6, [9]]]) }, NOW);
    const apps = downstreamApplications(index, [6, 2, 6], health);
    // From lb-a: web (SHOP, 1 hop), edge (EDGE, 2 hops); from api: web (1 hop).
    expect(apps.map((a) => [a.app, a.via, a.depth, a.status])).toEqual([
      [3, 4, 2, 'degraded'],
      [1, 3, 1, 'degraded'],
    ]);
  });

  it('stops at the dependency depth and reaches nothing from nothing', () => {
    const index = shop();
    const health = computeServiceHealth(index, { down: new Map() }, NOW);
    expect(downstreamApplications(index, [1], health).map((a) => a.app)).toEqual([2, 1]);
    expect(downstreamApplications(index, [], health)).toEqual([]);
  });
});

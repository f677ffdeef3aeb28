import { describe, expect, it } from 'vitest';

import { computeServiceHealth, type HealthStatus } from './service-health.js';
import { TopologyIndex, type MaintenanceWindow } from './topology-index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

/** `up > down` is a normal dependency; `up >group> down` a redundancy one in that group. */
type Edge = string;

/** A topology of named services (ids in order of first mention) from edges. */
function graph(edges: readonly Edge[], alone: readonly string[] = []): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  const ids = new Map<string, number>();
  const id = (name: string) => {
    let found = ids.get(name);
    if (found === undefined) {
      found = ids.size + 1;
      ids.set(name, found);
      index.addService(found, name);
    }
    return found;
  };
  alone.forEach(id);
  edges.forEach((edge, i) => {
    const match = /^(\S+) >(\S*)> (\S+)$/.exec(edge.replace(/ > /, ' >> '));
    if (match === null) throw new Error(`bad edge ${edge}`);
    const [, up, group, down] = match as unknown as [string, string, string, string];
    const type = group === '' ? 'normal' : 'redundancy';
    index.addDependency(i + 1, id(up), id(down), type, group === '' ? `${down}-${up}` : group);
  });
  return index;
}

const idOf = (index: TopologyIndex, name: string): number =>
  [...index.services.values()].find((s) => s.name === name)!.id;

/**
 * Health of every service by name, with `down` failing through an incident (id 1) and
 * `maintenance` inside active windows on the services themselves.
 */
function healthOf(
  index: TopologyIndex,
  down: readonly string[],
  maintenance: readonly string[] = [],
): Record<string, HealthStatus> {
  maintenance.forEach((name, i) =>
    index.addMaintenance({
      id: 100 + i,
      status: 'started',
      start: NOW - HOUR,
      end: NOW + HOUR,
      targetType: 'technical_service',
      targetId: idOf(index, name),
    }),
  );
  const origins = new Map(down.map((name) => [idOf(index, name), [1]] as const));
  const health = computeServiceHealth(index, { down: origins }, NOW);
  return Object.fromEntries([...index.services.values()].map((s) => [s.name, health.status(s.id)]));
}

describe('service health', () => {
  const cases: Array<{
    name: string;
    edges: Edge[];
    down: string[];
    maintenance?: string[];
    expected: Record<string, HealthStatus>;
  }> = [
    {
      name: 'a normal chain goes down below a failure',
      edges: ['db > api', 'api > web'],
      down: ['db'],
      expected: { db: 'down', api: 'down', web: 'down' },
    },
    {
      name: 'a normal chain stays healthy above a failure',
      edges: ['db > api', 'api > web'],
      down: ['api'],
      expected: { db: 'healthy', api: 'down', web: 'down' },
    },
    {
      name: 'nothing failing, everything healthy',
      edges: ['db > api', 'api > web'],
      down: [],
      expected: { db: 'healthy', api: 'healthy', web: 'healthy' },
    },
    ...[0, 1, 2].map((n) => ({
      name: `a redundancy group of 2 with ${n} down`,
      edges: ['a >lb> web', 'b >lb> web', 'web > app'],
      down: ['a', 'b'].slice(0, n),
      expected: {
        a: n >= 1 ? 'down' : 'healthy',
        b: n >= 2 ? 'down' : 'healthy',
        web: (['healthy', 'degraded', 'down'] as const)[n]!,
        app: (['healthy', 'degraded', 'down'] as const)[n]!,
      } as Record<string, HealthStatus>,
    })),
    ...[0, 1, 2, 3].map((n) => ({
      name: `a redundancy group of 3 with ${n} down`,
      edges: ['a >dns> api', 'b >dns> api', 'c >dns> api'],
      down: ['a', 'b', 'c'].slice(0, n),
      expected: {
        api: (['healthy', 'degraded', 'degraded', 'down'] as const)[n]!,
      } as Record<string, HealthStatus>,
    })),
    ...[0, 1, 2, 3].map((n) => ({
      name: `a redundancy group of 3 under a chain with ${n} down`,
      edges: ['a >dns> api', 'b >dns> api', 'c >dns> api', 'api > web', 'web > edge'],
      down: ['c', 'b', 'a'].slice(0, n),
      expected: {
        a: n >= 3 ? 'down' : 'healthy',
        api: (['healthy', 'degraded', 'degraded', 'down'] as const)[n]!,
        web: (['healthy', 'degraded', 'degraded', 'down'] as const)[n]!,
        edge: (['healthy', 'degraded', 'degraded', 'down'] as const)[n]!,
      } as Record<string, HealthStatus>,
    })),
    {
      name: 'a group of 3 with 2 down and the third under maintenance is degraded, not down',
      edges: ['a >dns> api', 'b >dns> api', 'c >dns> api'],
      down: ['a', 'b'],
      maintenance: ['c'],
      expected: { c: 'under_maintenance', api: 'degraded' },
    },
    {
      name: 'maintenance on a normal upstream degrades the chain below',
      edges: ['db > api', 'api > web'],
      down: [],
      maintenance: ['db'],
      expected: { db: 'under_maintenance', api: 'degraded', web: 'degraded' },
    },
    {
      name: 'a failure below a service under maintenance does not change its status',
      edges: ['db > api', 'api > web'],
      down: ['db'],
      maintenance: ['api'],
      expected: { db: 'down', api: 'under_maintenance', web: 'degraded' },
    },
    {
      name: 'a degraded member degrades the group',
      edges: ['x > a', 'y >r> a', 'z >r> a', 'a >pair> web', 'b >pair> web'],
      down: ['y'],
      expected: { a: 'degraded', b: 'healthy', web: 'degraded' },
    },
    {
      name: 'two groups are judged apart: one whole group down is down',
      edges: ['a >g1> s', 'b >g1> s', 'c >g2> s', 'd >g2> s'],
      down: ['a', 'c', 'd'],
      expected: { s: 'down' },
    },
    {
      name: 'a diamond is down through either side',
      edges: ['base > left', 'base > right', 'left > top', 'right > top'],
      down: ['base'],
      expected: { base: 'down', left: 'down', right: 'down', top: 'down' },
    },
    {
      name: 'a diamond with one failing side is down (normal dependencies)',
      edges: ['base > left', 'base > right', 'left > top', 'right > top'],
      down: ['left'],
      expected: { base: 'healthy', left: 'down', right: 'healthy', top: 'down' },
    },
    {
      name: 'a redundant diamond with one failing side is degraded',
      edges: ['base > left', 'base > right', 'left >sides> top', 'right >sides> top'],
      down: ['left'],
      expected: { left: 'down', right: 'healthy', top: 'degraded' },
    },
    {
      name: 'a cycle with a failing input goes down without looping',
      edges: ['root > a', 'a > b', 'b > c', 'c > a'],
      down: ['root'],
      expected: { root: 'down', a: 'down', b: 'down', c: 'down' },
    },
    {
      name: 'a cycle without failure stays healthy',
      edges: ['a > b', 'b > a', 'b > c'],
      down: [],
      expected: { a: 'healthy', b: 'healthy', c: 'healthy' },
    },
    {
      name: 'a diamond of redundancy pairs is down only when both sides are',
      edges: ['base >l> left', 'spare >l> left', 'left >sides> top', 'right >sides> top'],
      down: ['base', 'spare', 'right'],
      expected: { left: 'down', right: 'down', top: 'down' },
    },
    {
      name: 'a cycle through a redundancy group goes down when its input fails entirely',
      edges: ['x >pair> a', 'y >pair> a', 'a > b', 'b > c', 'c > a'],
      down: ['x', 'y'],
      expected: { a: 'down', b: 'down', c: 'down' },
    },
    {
      name: 'a redundant cycle settles at degraded',
      edges: ['x >pair> a', 'b >pair> a', 'a > b'],
      down: ['x'],
      expected: { x: 'down', a: 'degraded', b: 'degraded' },
    },
  ];

  it.each(cases)('$name', ({ edges, down, maintenance, expected }) => {
    const health = healthOf(graph(edges), down, maintenance);
    for (const [name, status] of Object.entries(expected)) {
      expect(health[name], name).toBe(status);
    }
  });
});

describe('service health under maintenance', () => {
  function withWindow(
    index: TopologyIndex,
    target: Pick<MaintenanceWindow, 'targetType' | 'targetId'>,
    start = NOW - HOUR,
    end = NOW + HOUR,
  ): void {
    index.addMaintenance({ id: 1, status: 'started', start, end, ...target });
  }

  it('puts a service whose device is in maintenance under maintenance, dependents degraded', () => {
    const index = graph(['db > api', 'api > web']);
    index.addDevice(10, 'db-01', null);
    index.linkService(idOf(index, 'db'), 'device', 10);
    withWindow(index, { targetType: 'device', targetId: 10 });
    expect(healthOf(index, [])).toEqual({
      db: 'under_maintenance',
      api: 'degraded',
      web: 'degraded',
    });
  });

  it('covers services of VMs on a device and of a cluster', () => {
    const index = graph(['vmsvc > api'], ['clustered']);
    index.addDevice(10, 'esx-01', 7);
    index.addVm(20, 'vm-01', null, 10);
    index.linkService(idOf(index, 'vmsvc'), 'vm', 20);
    index.linkService(idOf(index, 'clustered'), 'cluster', 7);
    withWindow(index, { targetType: 'cluster', targetId: 7 });
    expect(healthOf(index, [])).toEqual({
      vmsvc: 'under_maintenance',
      api: 'degraded',
      clustered: 'under_maintenance',
    });
  });

  it('is down rather than in maintenance when an incident names it', () => {
    const index = graph(['db > api']);
    withWindow(index, { targetType: 'technical_service', targetId: idOf(index, 'db') });
    expect(healthOf(index, ['db'])).toEqual({ db: 'down', api: 'down' });
  });

  it('ignores windows not active now, and says until when the answer holds', () => {
    const index = graph(['db > api']);
    const db = idOf(index, 'db');
    withWindow(
      index,
      { targetType: 'technical_service', targetId: db },
      NOW + HOUR,
      NOW + 2 * HOUR,
    );
    const health = computeServiceHealth(index, { down: new Map() }, NOW);
    expect(health.status(db)).toBe('healthy');
    expect(health.validUntil).toBe(NOW + HOUR);
    expect(health.holdsAt(NOW + HOUR - 1)).toBe(true);
    expect(health.holdsAt(NOW + HOUR)).toBe(false);
    const later = computeServiceHealth(index, { down: new Map() }, NOW + HOUR);
    expect(later.status(db)).toBe('under_maintenance');
    expect(later.validUntil).toBe(NOW + 2 * HOUR + 1);
  });
});

describe('business application health', () => {
  it('is the worst of its services, maintenance above degraded', () => {
    const index = graph(['db > api', 'x >pair> web', 'y >pair> web'], ['batch']);
    index.apps.set(1, { id: 1, appcode: 'SHOP', name: 'Shop' });
    index.apps.set(2, { id: 2, appcode: 'WEB', name: 'Web' });
    index.apps.set(3, { id: 3, appcode: 'BATCH', name: 'Batch' });
    index.linkService(idOf(index, 'api'), 'app', 1);
    index.linkService(idOf(index, 'web'), 'app', 1);
    index.linkService(idOf(index, 'web'), 'app', 2);
    index.linkService(idOf(index, 'batch'), 'app', 3);
    index.addMaintenance({
      id: 1,
      status: 'planned',
      start: NOW,
      end: NOW + HOUR,
      targetType: 'business_application',
      targetId: 3,
    });
    const down = new Map([[idOf(index, 'db'), [1]] as const, [idOf(index, 'x'), [2]] as const]);
    const health = computeServiceHealth(index, { down }, NOW);
    expect([1, 2, 3].map((app) => health.appStatus(app))).toEqual([
      'down',
      'degraded',
      'under_maintenance',
    ]);
    expect(health.appStatus(99)).toBe('healthy');
  });
});

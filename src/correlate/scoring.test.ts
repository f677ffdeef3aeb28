import { describe, expect, it } from 'vitest';

import type { Severity } from '../config/settings.js';
import { TopologyIndex } from '../topology/topology-index.js';
import type { EventFacts, IncidentView } from './correlation-types.js';
import { chooseIncident } from './decide.js';
import {
  PluginRule,
  dependencyStrength,
  infrastructureShare,
  scoreIncident,
  serviceOverlap,
  severityMatch,
  timeFactor,
} from './scoring.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const settings = { windowMinutes: 15, threshold: 0.3 };

/**
 * storage(1) → db(2) → api(3) → web(4); storage(1) → cache(5) (sibling of db);
 * lonely(6) has no dependencies; chain 10 → 11 → 12 → 13 → 14 → 15 → 16 is six hops long.
 */
function graph(depth = 5): TopologyIndex {
  const index = new TopologyIndex(1, depth);
  const names = ['storage', 'db', 'api', 'web', 'cache', 'lonely'];
  names.forEach((name, i) => index.addService(i + 1, name));
  for (let id = 10; id <= 16; id++) index.addService(id, `chain-${id}`);
  const edges: Array<[number, number]> = [
    [1, 2],
    [2, 3],
    [3, 4],
    [1, 5],
    [10, 11],
    [11, 12],
    [12, 13],
    [13, 14],
    [14, 15],
    [15, 16],
  ];
  edges.forEach(([up, down], i) => index.addDependency(i + 1, up, down, 'normal', `d${i}`));
  return index;
}

function event(services: number[], extra: Partial<EventFacts> = {}): EventFacts {
  const base = { services, context: [], group: null, devices: [], vms: [] };
  return { ...base, criticality: 'high', time: T0, ...extra };
}

function incident(services: number[], extra: Partial<IncidentView> = {}): IncidentView {
  return {
    id: 1,
    status: 'new',
    severity: 'critical' as Severity,
    services: new Set(services),
    context: new Set<number>(),
    groups: [],
    devices: new Set<number>(),
    vms: new Set<number>(),
    lastEventAt: T0,
    resolvedAt: null,
    ...extra,
  };
}

describe('scoring terms', () => {
  it.each([
    ['shares a service', [2], [2, 3], 1],
    ['shares none', [5], [2, 3], 0],
  ])('service overlap when the event %s', (_case, e, i, expected) => {
    expect(serviceOverlap(event(e), incident(i))).toBe(expected);
  });

  it.each([
    ['the same service', [2], [2], 1.0],
    ['a direct upstream of the incident', [2], [3], 0.8],
    ['a direct dependent of the incident', [3], [2], 0.8],
    ['a transitive dependent within the depth', [4], [1], 0.8],
    ['a sibling sharing an upstream', [5], [2], 0.5],
    ['unrelated', [6], [2], 0],
  ])('dependency strength for %s', (_case, e, i, expected) => {
    expect(dependencyStrength(event(e), incident(i), graph()).strength).toBe(expected);
  });

  it('ignores a dependency beyond the maximum depth', () => {
    const g = graph(5);
    expect(dependencyStrength(event([15]), incident([10]), g).strength).toBe(0.8);
    expect(dependencyStrength(event([16]), incident([10]), g).strength).toBe(0);
  });

  it('explains the relation it found', () => {
    expect(dependencyStrength(event([5]), incident([2]), graph()).relation).toBe(
      'cache and db both depend on storage',
    );
  });

  it.each([
    [[7], [], [7], 1],
    [[7, 8], [], [7], 0.5],
    [[], [3], [], 0],
    [[], [], [], 0],
  ])(
    'infrastructure share of devices %j, vms %j against incident devices %j',
    (d, v, have, share) => {
      const e = event([2], { devices: d, vms: v });
      expect(infrastructureShare(e, incident([2], { devices: new Set(have) }))).toBe(share);
    },
  );

  it.each([
    [0, 1],
    [15, 1],
    [60, 0.75],
    [105, 0.5],
    [600, 0.5],
  ])('time factor after a gap of %d minutes is %d', (gap, factor) => {
    expect(timeFactor(gap, 15)).toBeCloseTo(factor, 6);
  });

  it('severity bonus only for an equal criticality', () => {
    expect(severityMatch(event([2]), incident([2], { severity: 'high' }))).toBe(1);
    expect(severityMatch(event([2]), incident([2], { severity: 'low' }))).toBe(0);
  });
});

describe('worked numbers', () => {
  const g = graph();
  const at = (minutes: number) => T0 + minutes * MINUTE;

  it.each([
    ['same service plus a shared device (capped from 1.8)', [2], [2], { devices: [7] }, {}, 1.0],
    ['direct dependency only', [3], [2], {}, {}, 0.48],
    ['direct dependency with equal severities', [3], [2], {}, { severity: 'high' }, 0.58],
    ['siblings sharing an upstream only', [5], [2], {}, {}, 0.3],
    ['same service without shared device, gap 2 h', [2], [2], { time: at(120) }, {}, 0.7],
    ['direct dependency only, gap 2 h', [3], [2], { time: at(120) }, {}, 0.24],
  ] as const)('%s → %d', (_case, e, i, eventExtra, incidentExtra, expected) => {
    const facts = event([...e], eventExtra as Partial<EventFacts>);
    const view = incident([...i], { devices: new Set([7]), ...incidentExtra } as never);
    expect(scoreIncident(facts, view, new PluginRule(g), settings).score).toBeCloseTo(expected, 6);
  });

  it('records the five components', () => {
    const scored = scoreIncident(
      event([3]),
      incident([2], { severity: 'high' }),
      new PluginRule(g),
      settings,
    );
    expect(scored.components).toEqual({
      service_overlap: 0,
      dependency: 0.48,
      infrastructure: 0,
      time_factor: 1,
      severity_bonus: 0.1,
    });
  });
});

describe('choosing an incident', () => {
  const g = new PluginRule(graph());

  it('joins siblings at threshold 0.3 but not at 0.4', () => {
    const candidates = [incident([2])];
    expect(chooseIncident(event([5]), candidates, g, settings).chosen?.incident_id).toBe(1);
    const strict = { ...settings, threshold: 0.4 };
    expect(chooseIncident(event([5]), candidates, g, strict).chosen).toBeNull();
  });

  it('opens a new incident for a dependency-only relation beyond the window', () => {
    const old = incident([2], { lastEventAt: T0 - 120 * MINUTE });
    expect(chooseIncident(event([3]), [old], g, settings).chosen).toBeNull();
  });

  it('prefers the higher score, then the most recent activity', () => {
    const strong = incident([3], { id: 1, lastEventAt: T0 - 5 * MINUTE });
    const weak = incident([5], { id: 2 });
    expect(chooseIncident(event([3]), [weak, strong], g, settings).chosen?.incident_id).toBe(1);

    const older = incident([3], { id: 3, lastEventAt: T0 - 10 * MINUTE });
    const newer = incident([3], { id: 4, lastEventAt: T0 - 1 * MINUTE });
    expect(chooseIncident(event([3]), [older, newer], g, settings).chosen?.incident_id).toBe(4);
  });

  it('reopens a monitoring incident only within the window after its resolution', () => {
    const recent = incident([2], { status: 'monitoring', resolvedAt: T0 - 5 * MINUTE });
    const choice = chooseIncident(event([2]), [recent], g, settings);
    expect(choice).toMatchObject({ reopens: true, chosen: { incident_id: 1 } });

    const stale = incident([2], { status: 'monitoring', resolvedAt: T0 - 30 * MINUTE });
    expect(chooseIncident(event([2]), [stale], g, settings).chosen).toBeNull();
  });

  it('ranks every candidate, best first', () => {
    const ranked = chooseIncident(
      event([3]),
      [incident([6], { id: 7 }), incident([3], { id: 8 }), incident([5], { id: 9 })],
      g,
      settings,
    ).ranked;
    expect(ranked.map((r) => r.incident_id)).toEqual([8, 9, 7]);
  });
});

describe('dependency cycles', () => {
  it('computes closures over a cycle without hanging', () => {
    const index = new TopologyIndex(1, 5);
    [1, 2, 3].forEach((id) => index.addService(id, `s${id}`));
    index.addDependency(1, 1, 2, 'normal', 'a');
    index.addDependency(2, 2, 3, 'normal', 'b');
    index.addDependency(3, 3, 1, 'normal', 'c');
    expect([...index.upstream(1).keys()].sort()).toEqual([2, 3]);
    expect(dependencyStrength(event([1]), incident([3]), index).strength).toBe(0.8);
  });
});

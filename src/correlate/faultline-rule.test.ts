import { describe, expect, it } from 'vitest';

import { incidentState } from '../../test/support/incident-state.js';
import type { Severity } from '../config/settings.js';
import { IncidentIndex, type IncidentState } from '../incidents/incident-index.js';
import { TopologyIndex } from '../topology/topology-index.js';
import type { EventFacts } from './correlation-types.js';
import { FaultlineRule } from './faultline-rule.js';
import { rankRootCauses } from './hypothesis.js';
import { explainedTogether } from './merge-rule.js';
import { scoreIncident } from './scoring.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const settings = { windowMinutes: 15, threshold: 0.3 };

/**
 * core(1) ← ten platform services: db1(2), db2(3), filler 4..11;
 * db1 ← api1(20), api2(21), api3(22); db2 ← api4(23), api5(24);
 * p(30) ← a(31), b(32): one specific upstream with two dependents;
 * api1 ← web1(40), web2(41), web3(42); api3 ← web4(43), web5(44).
 */
function topology(): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  const add = (id: number, name: string) => index.addService(id, name);
  add(1, 'core-network');
  add(2, 'db1');
  add(3, 'db2');
  for (let id = 4; id <= 11; id++) add(id, `platform-${id}`);
  [20, 21, 22, 23, 24].forEach((id, i) => add(id, `api${i + 1}`));
  add(30, 'p');
  add(31, 'a');
  add(32, 'b');
  [40, 41, 42, 43, 44].forEach((id, i) => add(id, `web${i + 1}`));
  let dep = 0;
  const link = (up: number, down: number) =>
    index.addDependency(++dep, up, down, 'normal', `d${dep}`);
  for (let id = 2; id <= 11; id++) link(1, id);
  [20, 21, 22].forEach((id) => link(2, id));
  [23, 24].forEach((id) => link(3, id));
  link(30, 31);
  link(30, 32);
  [40, 41, 42].forEach((id) => link(20, id));
  [43, 44].forEach((id) => link(22, id));
  return index;
}

function incident(id: number, services: number[], severity: Severity = 'critical'): IncidentState {
  return incidentState(id, services, { severity, lastEventAt: T0 });
}

function event(services: number[], criticality: Severity = 'high'): EventFacts {
  return { services, context: [], group: null, devices: [], vms: [], criticality, time: T0 };
}

/** A rule over a topology where the given incidents are open (their services alert). */
function setup(...open: IncidentState[]) {
  const graph = topology();
  const incidents = new IncidentIndex(1, graph);
  open.forEach((state) => incidents.put(state));
  return { graph, incidents, rule: new FaultlineRule(graph, incidents.alerting) };
}

describe('Faultline rule: the worked numbers of two services', () => {
  it('scores a direct dependency 0.48, 0.58 with equal severities', () => {
    const db = incident(1, [2]);
    const { rule } = setup(db);
    expect(scoreIncident(event([20]), db, rule, settings).score).toBeCloseTo(0.48, 6);
    const same = incident(2, [2], 'high');
    expect(scoreIncident(event([20]), same, rule, settings).score).toBeCloseTo(0.58, 6);
  });

  it('scores siblings under one specific upstream 0.30: joins at 0.3, not at 0.4', () => {
    const a = incident(1, [31]);
    const { rule } = setup(a);
    const scored = scoreIncident(event([32]), a, rule, settings);
    expect(scored.score).toBeCloseTo(0.3, 6);
    expect(scored.components.specificity).toBe(1);
    expect(scored.relation).toBe('both depend on p, 2 of whose 2 direct dependents alert');
  });

  it('scores the same service plus a shared device 1.0', () => {
    const db = { ...incident(1, [2]), devices: new Set([7]) };
    const { rule } = setup(db);
    const facts = { ...event([2]), devices: [7] };
    expect(scoreIncident(facts, db, rule, settings).score).toBe(1);
  });
});

describe('Faultline rule: broad infrastructure', () => {
  it('keeps two failures that share only the core network apart', () => {
    const first = incident(1, [20]);
    const { rule } = setup(first);
    const scored = scoreIncident(event([23]), first, rule, settings);
    // The lowest common upstream is the core network: none of its ten dependents alert.
    expect(scored.components.specificity).toBe(0);
    expect(scored.score).toBeLessThan(settings.threshold);
  });

  it('does not look at incidents that share only a broad upstream', () => {
    const first = incident(1, [20]);
    const { rule } = setup(first);
    expect(rule.considers(event([23]), 1)).toBe(false);
  });
});

describe('Faultline rule: a database failure whose root is silent', () => {
  it('joins symptoms once most dependents of their common upstream alert', () => {
    const api1 = incident(1, [20]);
    const { rule } = setup(api1);
    // db1 has three dependents: api1 alerting, api2 arriving makes two of three.
    const scored = scoreIncident(event([21]), api1, rule, settings);
    expect(scored.components.specificity).toBe(1);
    expect(scored.score).toBeCloseTo(0.3, 6);
    expect(scored.relation).toBe('both depend on db1, 2 of whose 3 direct dependents alert');
  });

  it('joins the root when it alerts last, as the cause of the incident', () => {
    const symptoms = incident(1, [20, 21]);
    const { rule } = setup(symptoms);
    const scored = scoreIncident(event([2]), symptoms, rule, settings);
    expect(scored.score).toBeCloseTo(0.48, 6);
    expect(scored.relation).toBe('api1 depends on db1');
  });

  it('names the silent database as root cause, ahead of its symptoms', () => {
    const graph = topology();
    expect(rankRootCauses(new Set([20, 21]), graph).roots[0]).toBe(2);
    // Once the database alerts itself it is the root, explaining the rest.
    const withRoot = rankRootCauses(new Set([20, 21, 2]), graph);
    expect(withRoot.roots[0]).toBe(2);
    expect(withRoot.titled).toBe(1);
  });

  it('names every independent service when no single one explains the incident', () => {
    const graph = topology();
    const ranked = rankRootCauses(new Set([20, 31]), graph);
    expect(ranked.roots.slice(0, 2).sort()).toEqual([20, 31]);
    expect(ranked.titled).toBe(2);
  });
});

describe('Faultline rule: a silent root two levels above its symptoms', () => {
  // db1 fails silently, and so does api1: only two of api1's three dependents alert. Then
  // api2 alerts, and web4 alone under api3 (a device failure in the storm benchmark).
  const symptoms = () => incident(1, [40, 41]);

  it('joins a sibling branch once the silent branch shows failing through its dependents', () => {
    const first = symptoms();
    const { rule } = setup(first);
    const scored = scoreIncident(event([21]), first, rule, settings);
    expect(scored.components.specificity).toBe(1);
    expect(scored.score).toBeCloseTo(0.3, 6);
    expect(scored.relation).toBe(
      'both depend on db1, 2 of whose 3 direct dependents alert or fail silently ' +
        '(api1: its own dependents alert)',
    );
  });

  it('does not take one alerting dependent as its silent parent failing', () => {
    const lone = incident(1, [43]);
    const { rule } = setup(lone);
    // web4 is half of api3's dependents, but one alert may be web4's own failure.
    const scored = scoreIncident(event([21]), lone, rule, settings);
    expect(scored.components.specificity).toBeCloseTo(2 / 3, 6);
    expect(scored.score).toBeLessThan(settings.threshold);
  });

  it('names the silent root first, not the alerting sibling or the silent branch', () => {
    const ranked = rankRootCauses(new Set([40, 41, 21]), topology());
    expect(ranked.roots[0]).toBe(2);
    expect(ranked.titled).toBe(1);
  });

  it('merges the incident of a lone symptom under a third branch into it', () => {
    const grown = incident(1, [40, 41, 21]);
    const lone = incident(2, [43]);
    const { graph, rule } = setup(grown, lone);
    expect(explainedTogether(rule, graph, grown, lone, T0, settings.windowMinutes)).toBe(true);
  });
});

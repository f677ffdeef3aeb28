import { chooseIncident } from '../src/correlate/decide.js';
import { FaultlineRule } from '../src/correlate/faultline-rule.js';
import { PluginRule } from '../src/correlate/scoring.js';
import type { EventFacts } from '../src/correlate/correlation-types.js';
import { IncidentIndex } from '../src/incidents/incident-index.js';
import { eventScope, type TargetRef } from '../src/topology/event-scope.js';
import type { TopologyIndex } from '../src/topology/topology-index.js';
import { incidentState } from '../test/support/incident-state.js';
import { indexOf } from './generated-index.js';
import { Random } from './random.js';
import { generateTopology, type GeneratedTopology } from './topology-generator.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const SETTINGS = { windowMinutes: 15, threshold: 0.3 };

export interface LatencyResult {
  readonly mode: string;
  readonly services: number;
  readonly devices: number;
  readonly dependencies: number;
  readonly openIncidents: number;
  readonly events: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly max_us: number;
  readonly mean_candidates: number;
}

/** How many of each kind a generated topology has (ids are dense from 1). */
interface TargetSpace {
  readonly services: number;
  readonly devices: number;
  readonly vms: number;
  readonly dependencies: number;
}

const spaceOf = (t: GeneratedTopology): TargetSpace => ({
  services: t.services.length,
  devices: t.devices.length,
  vms: t.vms.length,
  dependencies: t.dependencies.length,
});

function randomTarget(t: TargetSpace, random: Random): TargetRef {
  const roll = random.next();
  if (roll < 0.5) return { type: 'technical_service', id: random.int(1, t.services) };
  if (roll < 0.8) return { type: 'device', id: random.int(1, t.devices) };
  return { type: 'virtual_machine', id: random.int(1, t.vms) };
}

function facts(index: TopologyIndex, target: TargetRef, time: number): EventFacts {
  const scope = eventScope(index, target);
  return { ...scope, group: null, criticality: 'high', time };
}

function openIncidents(index: TopologyIndex, t: TargetSpace, count: number, random: Random) {
  const incidents = new IncidentIndex(1, index);
  for (let id = 1; id <= count; id++) {
    const scope = eventScope(index, randomTarget(t, random));
    const state = incidentState(id, scope.services, {
      severity: 'critical',
      context: new Set(scope.context),
      devices: new Set(scope.devices),
      vms: new Set(scope.vms),
      lastEventAt: T0 - random.int(0, 30) * 60_000,
    });
    incidents.put(state);
  }
  return incidents;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Time of one decision (candidates + scoring) per event, in process, no I/O. */
export function measureDecisions(
  t: TargetSpace,
  index: TopologyIndex,
  incidentCount: number,
  events: number,
  mode: 'plugin' | 'faultline',
): LatencyResult {
  const random = new Random(incidentCount * 7 + 3);
  const incidents = openIncidents(index, t, incidentCount, random);
  const targets = Array.from({ length: events }, () => randomTarget(t, random));

  const decide = (target: TargetRef) => {
    const event = facts(index, target, T0);
    const rule =
      mode === 'plugin' ? new PluginRule(index) : new FaultlineRule(index, incidents.alerting);
    const candidates =
      rule instanceof FaultlineRule
        ? incidents.candidates(event, (u) => rule.considers(event, u))
        : incidents.candidates(event);
    chooseIncident(event, candidates, rule, SETTINGS);
    return candidates.length;
  };
  targets.forEach(decide); // warm the closure memo, as a running server has it

  const times: number[] = [];
  let candidates = 0;
  for (const target of targets) {
    const start = process.hrtime.bigint();
    candidates += decide(target);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    mode,
    services: t.services,
    devices: t.devices,
    dependencies: t.dependencies,
    openIncidents: incidentCount,
    events,
    p50_us: Math.round(percentile(times, 0.5)),
    p99_us: Math.round(percentile(times, 0.99)),
    max_us: Math.round(times[times.length - 1]!),
    mean_candidates: Math.round(candidates / events),
  };
}

/** A generated topology's index; the generator's own copy is dropped to keep memory real. */
export function indexFor(services: number): { index: TopologyIndex; space: TargetSpace } {
  const topology = generateTopology({ services, seed: 42 });
  return { index: indexOf(topology, 5), space: spaceOf(topology) };
}

export function runCorrelationLatency(
  sizes: number[],
  incidentCounts: number[],
  mode: 'plugin' | 'faultline',
): LatencyResult[] {
  const results: LatencyResult[] = [];
  for (const services of sizes) {
    const { index, space } = indexFor(services);
    for (const count of incidentCounts) {
      results.push(measureDecisions(space, index, count, 3000, mode));
    }
  }
  return results;
}

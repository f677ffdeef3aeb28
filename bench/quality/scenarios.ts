import { gatherEvidence, rankHypotheses } from '../../src/correlate/hypothesis.js';
import { eventScope, type TargetRef } from '../../src/topology/event-scope.js';
import type { TopologyIndex } from '../../src/topology/topology-index.js';
import { Random } from '../random.js';
import type { GeneratedTopology } from '../topology-generator.js';
import {
  AlertWriter,
  MIN,
  S,
  impactDistances,
  impactOf,
  membersOf,
  targetOf,
  type Failure,
  type MaintenancePlan,
  type RootKind,
  type Scenario,
} from './failure-model.js';

/** How the failures of a family are laid out in time and how their roots alert. */
export interface FamilyPlan {
  readonly name: string;
  readonly description: string;
  readonly waves: number;
  readonly failuresPerWave: [number, number];
  /** Probability that the root alerts first, last, or never (the rest). */
  readonly rootFirst: number;
  readonly rootLast: number;
  /** Failures of one wave share no upstream but broad infrastructure. */
  readonly sharedInfraOnly: boolean;
  readonly noisePerWave: number;
  readonly unknownPerWave: number;
  readonly maintenancePerWave: number;
  readonly flapShare: number;
}

const base = {
  waves: 6,
  failuresPerWave: [1, 1] as [number, number],
  rootFirst: 0.7,
  rootLast: 0.2,
  sharedInfraOnly: false,
  noisePerWave: 0,
  unknownPerWave: 0,
  maintenancePerWave: 0,
  flapShare: 0.1,
};

export const FAMILIES: readonly FamilyPlan[] = [
  { ...base, name: 'isolated', description: 'one failure at a time' },
  {
    ...base,
    name: 'overlapping',
    description: '3-5 unrelated failures at once',
    failuresPerWave: [3, 5],
  },
  {
    ...base,
    name: 'shared-infra',
    description: 'concurrent failures sharing only broad infrastructure',
    failuresPerWave: [3, 4],
    sharedInfraOnly: true,
  },
  {
    ...base,
    name: 'late-root',
    description: 'the root alerts last or never',
    failuresPerWave: [2, 3],
    rootFirst: 0,
    rootLast: 0.5,
  },
  {
    ...base,
    name: 'storm',
    description: 'many failures, flapping, noise, unknown targets, maintenance',
    failuresPerWave: [5, 7],
    noisePerWave: 4,
    unknownPerWave: 2,
    maintenancePerWave: 1,
    flapShare: 0.2,
  },
];

const ROOT_KINDS: Array<[RootKind, number]> = [
  ['service', 0.5],
  ['device', 0.2],
  ['hypervisor', 0.15],
  ['vm', 0.1],
  ['cluster', 0.05],
];

function rootKind(random: Random): RootKind {
  let roll = random.next();
  for (const [kind, weight] of ROOT_KINDS) {
    if ((roll -= weight) < 0) return kind;
  }
  return 'service';
}

function pickRoot(
  t: GeneratedTopology,
  index: TopologyIndex,
  random: Random,
): [RootKind, TargetRef] {
  const kind = rootKind(random);
  const withServices = (ref: TargetRef) => eventScope(index, ref).services.length > 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    let ref: TargetRef;
    if (kind === 'service') {
      ref = {
        type: 'technical_service',
        id: random.pick(t.services.filter((s) => s.layer >= 1 && s.layer <= 3)).id,
      };
    } else if (kind === 'device') {
      // Not a device of the broad infrastructure: that is a shared cause, not a failure here.
      const [service, device] = random.pick(t.serviceDevices);
      if (t.services[service - 1]!.layer === 0) continue;
      ref = { type: 'device', id: device };
    } else if (kind === 'hypervisor') {
      ref = { type: 'device', id: random.pick(t.vms).deviceId };
    } else if (kind === 'vm') {
      ref = { type: 'virtual_machine', id: random.int(1, t.vms.length) };
    } else {
      ref = { type: 'cluster', id: random.int(1, t.clusters.length) };
    }
    if (withServices(ref)) return [kind, ref];
  }
  return ['service', { type: 'technical_service', id: t.services[t.services.length - 1]!.id }];
}

/** Upstream services of a failure's impact outside the broad infrastructure layer. */
function specificUpstreams(
  t: GeneratedTopology,
  index: TopologyIndex,
  impact: number[],
): Set<number> {
  const out = new Set<number>(impact);
  for (const s of impact) {
    for (const up of index.upstream(s).keys()) if (t.services[up - 1]!.layer > 0) out.add(up);
  }
  return out;
}

interface WaveContext {
  readonly t: GeneratedTopology;
  readonly index: TopologyIndex;
  readonly random: Random;
  readonly writer: AlertWriter;
  readonly plan: FamilyPlan;
}

/** Plays one failure: root and symptom alerts with their timing; returns the failure. */
function playFailure(
  c: WaveContext,
  id: string,
  kind: RootKind,
  root: TargetRef,
  start: number,
): Failure {
  const { index, random, writer } = c;
  const rootServices = eventScope(index, root).services;
  const end = start + random.int(8, 25) * MIN;
  const roll = random.next();
  if (roll < c.plan.rootFirst + c.plan.rootLast) {
    const at =
      roll < c.plan.rootFirst ? start + random.int(0, 20) * S : start + random.int(150, 240) * S;
    writer.alert(id, 'root', targetOf(c.t, root), at, end, 'critical');
  }
  const distances = impactDistances(index, root);
  // How hard the failure hits: direct effects alert with this chance, each hop further half.
  const strength = 0.6 + random.next() * 0.4;
  // A failing host or cluster takes its VMs down: most of them alert themselves.
  const hostedVms =
    kind === 'hypervisor'
      ? (index.vmsByDevice.get(root.id) ?? [])
      : kind === 'cluster'
        ? (index.vmsByCluster.get(root.id) ?? [])
        : [];
  {
    for (const vm of hostedVms) {
      if (random.chance(strength)) {
        const at = start + random.int(10, 120) * S;
        writer.alert(
          id,
          'symptom',
          targetOf(c.t, { type: 'virtual_machine', id: vm }),
          at,
          end + random.int(5, 60) * S,
          'high',
        );
      }
    }
  }
  // Infrastructure takes its own services down too; a failed service is the root itself.
  const from = kind === 'service' ? 1 : 0;
  const chance = (d: number) => strength * 0.5 ** Math.max(0, d - 1);
  const symptoms = [...distances].filter(([, d]) => d >= from && random.chance(chance(d)));
  for (const [service] of symptoms) {
    const members = membersOf(index, service);
    const target: TargetRef =
      members.length > 0 && random.chance(0.4)
        ? random.pick(members)
        : { type: 'technical_service', id: service };
    const at = start + random.int(10, 180) * S;
    const severity = random.chance(0.5) ? 'high' : 'medium';
    writer.alert(
      id,
      'symptom',
      targetOf(c.t, target),
      at,
      end + random.int(5, 60) * S,
      severity,
      random.chance(c.plan.flapShare),
    );
  }
  const identifiable = identifiableRoots(c, id, rootServices);
  return { id, kind, root, rootServices, identifiable, start, end };
}

/** See Failure.identifiable. */
function identifiableRoots(c: WaveContext, id: string, rootServices: readonly number[]): number[] {
  const alerts = c.writer.alerts.filter((a) => a.failure === id);
  if (alerts.some((a) => a.kind === 'root')) return [...rootServices];
  const services = new Set<number>();
  for (const alert of alerts) {
    const type = (
      {
        device: 'device',
        vm: 'virtual_machine',
        cluster: 'cluster',
        service: 'technical_service',
      } as const
    )[alert.target.type];
    const match = c.index.findByName(type, alert.target.name);
    if (!match.found) continue;
    const scope = eventScope(c.index, { type, id: match.id });
    scope.services.filter((s) => !scope.context.includes(s)).forEach((s) => services.add(s));
  }
  const specific = rankHypotheses(gatherEvidence(services, c.index), c.index)[0];
  return specific === undefined ? [...rootServices] : [...rootServices, specific.root];
}

/** Picks roots for a wave whose impacts are disjoint (and, if asked, share only infra). */
function waveRoots(
  c: WaveContext,
  count: number,
  taken: Set<number>,
): Array<[RootKind, TargetRef]> {
  const roots: Array<[RootKind, TargetRef]> = [];
  for (let attempt = 0; attempt < 200 && roots.length < count; attempt++) {
    const [kind, ref] = pickRoot(c.t, c.index, c.random);
    const impact = impactOf(c.index, ref);
    const footprint = c.plan.sharedInfraOnly
      ? specificUpstreams(c.t, c.index, impact)
      : new Set(impact);
    if ([...footprint].some((s) => taken.has(s))) continue;
    footprint.forEach((s) => taken.add(s));
    roots.push([kind, ref]);
  }
  return roots;
}

function playExtras(
  c: WaveContext,
  wave: number,
  start: number,
  failures: Failure[],
  maintenance: MaintenancePlan[],
  taken: ReadonlySet<number>,
) {
  const { random, writer, t } = c;
  // Noise on a service a failure reaches, above one, or beside one under a specific upstream
  // would be that failure's alert in all but name: it lands elsewhere.
  const near = new Set<number>();
  const avoid = (service: number) => {
    near.add(service);
    for (const up of c.index.upstream(service).keys()) near.add(up);
    for (const down of c.index.downstream(service).keys()) near.add(down);
    for (const edge of c.index.services.get(service)!.upstream) {
      if (t.services[edge.service - 1]!.layer === 0) continue;
      for (const sibling of c.index.downstream(edge.service).keys()) near.add(sibling);
    }
  };
  taken.forEach(avoid);
  for (let n = 0; n < c.plan.noisePerWave; n++) {
    const quiet = t.services.filter((s) => !near.has(s.id));
    if (quiet.length === 0) break;
    const service = random.pick(quiet);
    // Two noise alerts must not explain each other either.
    avoid(service.id);
    const ref: TargetRef = { type: 'technical_service', id: service.id };
    const id = `w${wave}-noise${n}`;
    const at = start + random.int(0, 20) * MIN;
    writer.alert(id, 'noise', targetOf(t, ref), at, at + random.int(2, 10) * MIN, 'medium');
    const rootServices = [service.id];
    failures.push({
      id,
      kind: 'noise',
      root: ref,
      rootServices,
      identifiable: rootServices,
      start: at,
      end: at,
    });
  }
  for (let n = 0; n < c.plan.unknownPerWave; n++) {
    const at = start + random.int(0, 20) * MIN;
    writer.alert(
      `w${wave}-unknown${n}`,
      'unknown',
      { type: 'device', name: `ghost-${wave}-${n}.example.com` },
      at,
      at + 5 * MIN,
      'high',
    );
  }
  for (let n = 0; n < c.plan.maintenancePerWave; n++) {
    const device = random.pick(t.serviceDevices)[1];
    const at = start + random.int(0, 10) * MIN;
    maintenance.push({
      targetType: 'device',
      targetId: device,
      start: at - MIN,
      end: at + 20 * MIN,
    });
    writer.alert(
      `w${wave}-maint${n}`,
      'maintenance',
      targetOf(t, { type: 'device', id: device }),
      at,
      at + 10 * MIN,
      'critical',
    );
  }
}

/** A labelled alert stream of one family on one topology, reproducible from its seed. */
export function generateScenario(
  t: GeneratedTopology,
  index: TopologyIndex,
  plan: FamilyPlan,
  seed: number,
  startTime: number,
): Scenario {
  const random = new Random(seed * 1009 + plan.name.length);
  const writer = new AlertWriter(random);
  const c: WaveContext = { t, index, random, writer, plan };
  const failures: Failure[] = [];
  const maintenance: MaintenancePlan[] = [];

  for (let wave = 0; wave < plan.waves; wave++) {
    // Waves are 90 minutes apart: past every failure, its clearing and the reopen window.
    const waveStart = startTime + wave * 90 * MIN;
    const count = random.int(plan.failuresPerWave[0], plan.failuresPerWave[1]);
    const taken = new Set<number>();
    waveRoots(c, count, taken).forEach(([kind, ref], n) => {
      const start = waveStart + random.int(0, 4) * MIN;
      failures.push(playFailure(c, `w${wave}-f${n}`, kind, ref, start));
    });
    playExtras(c, wave, waveStart, failures, maintenance, taken);
  }
  const alerts = writer.alerts.sort((a, b) => a.at - b.at || a.dedupId.localeCompare(b.dedupId));
  return { family: plan.name, seed, failures, alerts, maintenance };
}

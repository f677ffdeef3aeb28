import { eventScope, type TargetRef } from '../../src/topology/event-scope.js';
import type { TopologyIndex } from '../../src/topology/topology-index.js';
import type { Random } from '../random.js';
import type { GeneratedTopology } from '../topology-generator.js';

export type RootKind = 'service' | 'device' | 'hypervisor' | 'vm' | 'cluster';
export type AlertKind = 'root' | 'symptom' | 'noise' | 'unknown' | 'maintenance';

/** One failure of the scenario: its root, what it takes down, and when. */
export interface Failure {
  readonly id: string;
  readonly kind: RootKind | 'noise';
  readonly root: TargetRef;
  /** The failed component's services: what a correct root cause names. */
  readonly rootServices: readonly number[];
  /**
   * What the alerts can identify: the root's services, and when the root never alerted, also
   * the most specific service that explains every alert (for a silent root with one alerting
   * dependent, no evidence can tell the root from that dependent).
   */
  readonly identifiable: readonly number[];
  readonly start: number;
  readonly end: number;
}

/** One delivery of an alert, labelled with the failure it belongs to. */
export interface LabelledAlert {
  readonly at: number;
  readonly dedupId: string;
  readonly target: {
    readonly type: 'device' | 'vm' | 'cluster' | 'service';
    readonly name: string;
  };
  readonly status: 'triggered' | 'ok';
  readonly severity: 'critical' | 'high' | 'medium' | 'low';
  readonly message: string;
  readonly failure: string;
  readonly kind: AlertKind;
}

export interface MaintenancePlan {
  readonly targetType: 'device' | 'technical_service';
  readonly targetId: number;
  readonly start: number;
  readonly end: number;
}

export interface Scenario {
  readonly family: string;
  readonly seed: number;
  readonly failures: Failure[];
  readonly alerts: LabelledAlert[];
  readonly maintenance: MaintenancePlan[];
}

const S = 1000;
const MIN = 60 * S;

/** Where an alert points: kind and name as a monitoring tool would send them. */
type AlertTarget = LabelledAlert['target'];

export class AlertWriter {
  readonly alerts: LabelledAlert[] = [];
  private counter = 0;

  constructor(private readonly random: Random) {}

  /** One alert: fires at `at`, repeats while active, may flap, clears at `end`. */
  alert(
    failure: string,
    kind: AlertKind,
    target: AlertTarget,
    at: number,
    end: number,
    severity: LabelledAlert['severity'],
    flap = false,
  ): void {
    const dedupId = `${failure}-a${++this.counter}`;
    const base = { dedupId, target, severity, failure, kind };
    const message = `${target.name}: ${kind === 'root' ? 'down' : 'degraded'}`;
    this.alerts.push({ ...base, at, status: 'triggered', message });
    for (let t = at + this.random.int(60, 120) * S; t < end; t += this.random.int(60, 120) * S) {
      this.alerts.push({ ...base, at: t, status: 'triggered', message });
    }
    if (flap && end - at > 4 * MIN) {
      const down = at + this.random.int(60, 150) * S;
      this.alerts.push({ ...base, at: down, status: 'ok', message });
      this.alerts.push({
        ...base,
        at: down + this.random.int(20, 60) * S,
        status: 'triggered',
        message,
      });
    }
    this.alerts.push({ ...base, at: end, status: 'ok', message: `${message} (cleared)` });
  }
}

/** Names a monitoring tool would use for an object of the topology. */
export function targetOf(t: GeneratedTopology, ref: TargetRef): AlertTarget {
  switch (ref.type) {
    case 'device':
      return { type: 'device', name: t.devices[ref.id - 1]!.name };
    case 'virtual_machine':
      return { type: 'vm', name: t.vms[ref.id - 1]!.name };
    case 'cluster':
      return { type: 'cluster', name: t.clusters[ref.id - 1]!.name };
    case 'technical_service':
      return { type: 'service', name: t.services[ref.id - 1]!.name };
  }
}

/** Hops between a failure and the services it reaches: its own at 0, dependents below. */
export function impactDistances(index: TopologyIndex, root: TargetRef): Map<number, number> {
  const own = eventScope(index, root);
  const out = new Map<number, number>();
  for (const service of own.services) {
    if (own.context.includes(service)) continue;
    out.set(service, 0);
    for (const [dependent, distance] of index.downstream(service)) {
      if ((out.get(dependent) ?? Infinity) > distance) out.set(dependent, distance);
    }
  }
  return out;
}

/** The services a failure of `root` can take down (within the dependency depth). */
export function impactOf(index: TopologyIndex, root: TargetRef): number[] {
  return [...impactDistances(index, root).keys()];
}

/** A service's members an alert could come from: its devices and VMs. */
export function membersOf(index: TopologyIndex, service: number): TargetRef[] {
  const node = index.services.get(service)!;
  return [
    ...node.devices.map((id) => ({ type: 'device' as const, id })),
    ...node.vms.map((id) => ({ type: 'virtual_machine' as const, id })),
  ];
}

export { MIN, S };

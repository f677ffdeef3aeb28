/** A dependency as seen from one service: the other end, its kind and its (group) name. */
export interface DependencyEdge {
  readonly service: number;
  readonly dependency: number;
  readonly type: 'normal' | 'redundancy';
  readonly name: string;
}

export interface ServiceNode {
  readonly id: number;
  readonly name: string;
  /** Services this one depends on. */
  readonly upstream: DependencyEdge[];
  /** Services that depend on this one. */
  readonly downstream: DependencyEdge[];
  readonly devices: number[];
  readonly vms: number[];
  readonly clusters: number[];
  readonly apps: number[];
}

export interface DeviceNode {
  readonly id: number;
  readonly name: string;
  readonly clusterId: number | null;
}

export interface VmNode {
  readonly id: number;
  readonly name: string;
  readonly clusterId: number | null;
  readonly deviceId: number | null;
}

export interface NamedNode {
  readonly id: number;
  readonly name: string;
}

export interface AppNode {
  readonly id: number;
  readonly appcode: string;
  readonly name: string;
}

export type MaintenanceTargetType =
  'device' | 'virtual_machine' | 'cluster' | 'technical_service' | 'business_application';

export interface MaintenanceWindow {
  readonly id: number;
  readonly status: string;
  readonly start: number;
  readonly end: number;
  readonly targetType: MaintenanceTargetType;
  readonly targetId: number;
}

/** Distances (in dependency hops) of the services reached from one service. */
export type Closure = ReadonlyMap<number, number>;

/**
 * What a dependency closure is computed over; the correlation rules read the graph only
 * through this view.
 */
export interface DependencyView {
  readonly maxDepth: number;
  service(id: number): ServiceNode | undefined;
  /** Services `id` depends on, directly or transitively, within maxDepth hops. */
  upstream(id: number): Closure;
  /** Services depending on `id`, directly or transitively, within maxDepth hops. */
  downstream(id: number): Closure;
}

import { eventScope } from './event-scope.js';
import { NameTable, type NameMatch } from './name-table.js';

/** Kinds of object an alert can name as its target. */
export type NamedTargetType = 'device' | 'virtual_machine' | 'cluster' | 'technical_service';

/** Where VMs run: a host device or a cluster. */
export interface Site {
  readonly kind: 'device' | 'cluster';
  readonly id: number;
}

/** The graph as the Faultline rule reads it: dependencies plus where VMs run. */
export interface CorrelationGraph extends DependencyView {
  /** The device a VM runs on, if known. */
  hostOf(vm: number): number | null;
  clusterOf(vm: number): number | null;
  /** How many VMs run on a host or in a cluster. */
  vmsIn(site: Site): number;
  /** The services that fail when a host or cluster fails (see eventScope). */
  hostedServices(site: Site): readonly number[];
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * The whole topology in memory, built once per topology version: adjacency lists, host and
 * cluster maps, maintenance windows, and bounded dependency closures memoised on first use.
 */
export class TopologyIndex implements CorrelationGraph {
  readonly services = new Map<number, ServiceNode>();
  readonly devices = new Map<number, DeviceNode>();
  readonly vms = new Map<number, VmNode>();
  readonly clusters = new Map<number, NamedNode>();
  readonly apps = new Map<number, AppNode>();
  readonly servicesByDevice = new Map<number, number[]>();
  readonly servicesByVm = new Map<number, number[]>();
  readonly servicesByCluster = new Map<number, number[]>();
  readonly vmsByDevice = new Map<number, number[]>();
  readonly vmsByCluster = new Map<number, number[]>();
  readonly devicesByCluster = new Map<number, number[]>();
  readonly servicesByApp = new Map<number, number[]>();
  /** Business applications linked directly to a device (the application's `devices`). */
  readonly appsByDevice = new Map<number, number[]>();
  /** Business applications linked directly to a VM (the application's `virtual_machines`). */
  readonly appsByVm = new Map<number, number[]>();
  readonly maintenanceByTarget = new Map<string, MaintenanceWindow[]>();
  /** How many services and business applications carry a PagerDuty routing key of their own. */
  routingKeyHolders = 0;

  private readonly names = new Map<NamedTargetType, NameTable>();
  private readonly upMemo = new Map<number, Closure>();
  private readonly hosted = new Map<string, readonly number[]>();
  private readonly downMemo = new Map<number, Closure>();

  constructor(
    readonly version: number,
    readonly maxDepth: number,
  ) {}

  service(id: number): ServiceNode | undefined {
    return this.services.get(id);
  }

  addService(id: number, name: string): ServiceNode {
    const node: ServiceNode = {
      id,
      name,
      upstream: [],
      downstream: [],
      devices: [],
      vms: [],
      clusters: [],
      apps: [],
    };
    this.services.set(id, node);
    return node;
  }

  addDependency(id: number, up: number, down: number, type: string, name: string): void {
    const kind = type === 'redundancy' ? 'redundancy' : 'normal';
    this.services.get(down)?.upstream.push({ service: up, dependency: id, type: kind, name });
    this.services.get(up)?.downstream.push({ service: down, dependency: id, type: kind, name });
  }

  addDevice(id: number, name: string, clusterId: number | null): void {
    this.devices.set(id, { id, name, clusterId });
    if (clusterId !== null) push(this.devicesByCluster, clusterId, id);
  }

  addVm(id: number, name: string, clusterId: number | null, deviceId: number | null): void {
    this.vms.set(id, { id, name, clusterId, deviceId });
    if (deviceId !== null) push(this.vmsByDevice, deviceId, id);
    if (clusterId !== null) push(this.vmsByCluster, clusterId, id);
  }

  linkService(service: number, kind: 'device' | 'vm' | 'cluster' | 'app', target: number): void {
    const node = this.services.get(service);
    if (node === undefined) return;
    if (kind === 'device') {
      node.devices.push(target);
      push(this.servicesByDevice, target, service);
    } else if (kind === 'vm') {
      node.vms.push(target);
      push(this.servicesByVm, target, service);
    } else if (kind === 'cluster') {
      node.clusters.push(target);
      push(this.servicesByCluster, target, service);
    } else {
      node.apps.push(target);
      push(this.servicesByApp, target, service);
    }
  }

  /** Links a business application directly to a device or a VM. */
  linkApp(app: number, kind: 'device' | 'vm', target: number): void {
    if (!this.apps.has(app)) return;
    push(kind === 'device' ? this.appsByDevice : this.appsByVm, target, app);
  }

  addMaintenance(window: MaintenanceWindow): void {
    const key = `${window.targetType}:${window.targetId}`;
    const list = this.maintenanceByTarget.get(key) ?? [];
    list.push(window);
    this.maintenanceByTarget.set(key, list);
  }

  /** Builds the name tables; called once all objects are added. */
  indexNames(): void {
    const tables: Array<[NamedTargetType, NameTable, Iterable<{ id: number; name: string }>]> = [
      ['device', new NameTable('device', true), this.devices.values()],
      ['virtual_machine', new NameTable('virtual machine', true), this.vms.values()],
      ['cluster', new NameTable('cluster', false), this.clusters.values()],
      ['technical_service', new NameTable('technical service', false), this.services.values()],
    ];
    for (const [type, table, objects] of tables) {
      for (const object of objects) table.add(object.id, object.name);
      this.names.set(type, table);
    }
  }

  /** Finds the object an alert names; see NameTable for the matching rules. */
  findByName(type: NamedTargetType, identifier: string): NameMatch {
    return this.names.get(type)?.find(identifier) ?? { found: false, reason: 'not indexed' };
  }

  hostOf(vm: number): number | null {
    return this.vms.get(vm)?.deviceId ?? null;
  }

  clusterOf(vm: number): number | null {
    return this.vms.get(vm)?.clusterId ?? null;
  }

  vmsIn(site: Site): number {
    const map = site.kind === 'device' ? this.vmsByDevice : this.vmsByCluster;
    return map.get(site.id)?.length ?? 0;
  }

  hostedServices(site: Site): readonly number[] {
    const key = `${site.kind}:${site.id}`;
    let services = this.hosted.get(key);
    if (services === undefined) {
      services = eventScope(this, { type: site.kind, id: site.id }).services;
      this.hosted.set(key, services);
    }
    return services;
  }

  /** True when the object exists. */
  has(type: NamedTargetType, id: number): boolean {
    if (type === 'device') return this.devices.has(id);
    if (type === 'virtual_machine') return this.vms.has(id);
    if (type === 'cluster') return this.clusters.has(id);
    return this.services.has(id);
  }

  upstream(id: number): Closure {
    let closure = this.upMemo.get(id);
    if (closure === undefined) {
      closure = this.walk(id, (node) => node.upstream);
      this.upMemo.set(id, closure);
    }
    return closure;
  }

  downstream(id: number): Closure {
    let closure = this.downMemo.get(id);
    if (closure === undefined) {
      closure = this.walk(id, (node) => node.downstream);
      this.downMemo.set(id, closure);
    }
    return closure;
  }

  /** Breadth-first within maxDepth; a cycle cannot loop because each service is seen once. */
  private walk(start: number, next: (node: ServiceNode) => DependencyEdge[]): Closure {
    const seen = new Map<number, number>();
    let frontier = [start];
    for (let depth = 1; depth <= this.maxDepth && frontier.length > 0; depth++) {
      const following: number[] = [];
      for (const id of frontier) {
        const node = this.services.get(id);
        if (node === undefined) continue;
        for (const edge of next(node)) {
          if (edge.service === start || seen.has(edge.service)) continue;
          seen.set(edge.service, depth);
          following.push(edge.service);
        }
      }
      frontier = following;
    }
    return seen;
  }
}

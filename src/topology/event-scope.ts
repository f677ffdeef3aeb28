import type {
  MaintenanceTargetType,
  MaintenanceWindow,
  NamedTargetType,
  TopologyIndex,
} from './topology-index.js';

/** The object an event is about. */
export interface TargetRef {
  readonly type: NamedTargetType;
  readonly id: number;
}

/** What an event touches: the services it affects and its own infrastructure. */
export interface EventScope {
  readonly services: readonly number[];
  /**
   * Those of `services` reached only through a VM's cluster: affected, but no sign that they
   * fail (one VM's alert says nothing about the virtualization platform).
   */
  readonly context: readonly number[];
  /**
   * For a device, VM or cluster hosting several services: those services, which fail together
   * when it fails (an infrastructure group); null otherwise.
   */
  readonly group: readonly number[] | null;
  readonly devices: readonly number[];
  readonly vms: readonly number[];
}

const unique = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);

function servicesOf(map: Map<number, number[]>, ids: Iterable<number>): number[] {
  const out: number[] = [];
  for (const id of ids) out.push(...(map.get(id) ?? []));
  return out;
}

/**
 * The services an event affects and its infrastructure:
 * device D → services listing D or a VM hosted on D;
 * VM V → services listing V or V's cluster;
 * cluster C → services listing C or any VM in C (its VMs are its infrastructure);
 * technical service S → S itself.
 */
export function eventScope(index: TopologyIndex, target: TargetRef): EventScope {
  let memo = scopeMemo.get(index);
  if (memo === undefined) {
    memo = new Map();
    scopeMemo.set(index, memo);
  }
  const key = `${target.type}:${target.id}`;
  let scope = memo.get(key);
  if (scope === undefined) {
    if (memo.size >= MAX_MEMOISED_SCOPES) memo.clear();
    scope = computeScope(index, target);
    memo.set(key, scope);
  }
  return scope;
}

/**
 * Scopes already worked out, per topology index (a new topology version is a new index): an
 * alert storm hits the same few objects again and again.
 */
const scopeMemo = new WeakMap<TopologyIndex, Map<string, EventScope>>();

/** Bounds the memo of one index; past it, the memo starts over. */
const MAX_MEMOISED_SCOPES = 50_000;

function computeScope(index: TopologyIndex, target: TargetRef): EventScope {
  const scope = ownScope(index, target);
  const primary = scope.services.filter((s) => !scope.context.includes(s));
  const hosted = target.type !== 'technical_service' && primary.length >= 2;
  return { ...scope, group: hosted ? primary : null };
}

function ownScope(index: TopologyIndex, target: TargetRef): Omit<EventScope, 'group'> {
  switch (target.type) {
    case 'device': {
      const hosted = index.vmsByDevice.get(target.id) ?? [];
      const services = [
        ...(index.servicesByDevice.get(target.id) ?? []),
        ...servicesOf(index.servicesByVm, hosted),
      ];
      return { services: unique(services), context: [], devices: [target.id], vms: [] };
    }
    case 'virtual_machine': {
      const cluster = index.vms.get(target.id)?.clusterId ?? null;
      const own = index.servicesByVm.get(target.id) ?? [];
      const viaCluster = cluster === null ? [] : (index.servicesByCluster.get(cluster) ?? []);
      const context = unique(viaCluster.filter((s) => !own.includes(s)));
      return { services: unique([...own, ...viaCluster]), context, devices: [], vms: [target.id] };
    }
    case 'cluster': {
      const vms = index.vmsByCluster.get(target.id) ?? [];
      const services = [
        ...(index.servicesByCluster.get(target.id) ?? []),
        ...servicesOf(index.servicesByVm, vms),
      ];
      return { services: unique(services), context: [], devices: [], vms: unique(vms) };
    }
    case 'technical_service':
      return { services: [target.id], context: [], devices: [], vms: [] };
  }
}

/** Objects whose maintenance covers an event: the target, its host and cluster, its services. */
function coveringObjects(
  index: TopologyIndex,
  target: TargetRef,
  scope: EventScope,
): Array<[MaintenanceTargetType, number]> {
  const out: Array<[MaintenanceTargetType, number]> = [[target.type, target.id]];
  if (target.type === 'device') {
    const cluster = index.devices.get(target.id)?.clusterId;
    if (cluster !== null && cluster !== undefined) out.push(['cluster', cluster]);
  }
  if (target.type === 'virtual_machine') {
    const vm = index.vms.get(target.id);
    if (vm?.deviceId != null) out.push(['device', vm.deviceId]);
    if (vm?.clusterId != null) out.push(['cluster', vm.clusterId]);
  }
  for (const service of scope.services) {
    out.push(['technical_service', service]);
    for (const app of index.services.get(service)?.apps ?? []) {
      out.push(['business_application', app]);
    }
  }
  return out;
}

/**
 * The active maintenance window (status planned or started, `time` within it) covering the
 * event's target or a service it affects, if any; the lowest id wins for a stable answer.
 */
export function activeMaintenance(
  index: TopologyIndex,
  target: TargetRef,
  scope: EventScope,
  time: number,
): MaintenanceWindow | null {
  let found: MaintenanceWindow | null = null;
  for (const [type, id] of coveringObjects(index, target, scope)) {
    for (const window of index.maintenanceByTarget.get(`${type}:${id}`) ?? []) {
      const active = window.start <= time && time <= window.end;
      if (active && (found === null || window.id < found.id)) found = window;
    }
  }
  return found;
}

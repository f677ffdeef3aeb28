import { inSlices } from '../store/database.js';
import type { TargetType } from '../store/resource-spec.js';
import type { Condition, ListPage, ResourceStore } from '../store/resource-store.js';
import { toStoredTime } from '../store/row-codec.js';
import type { BlastRadius } from './blast-radius.js';
import type { TopologyIndex } from './topology-index.js';

/** How far back a change counts as a probable cause of an incident. */
export const RECENT_CHANGE_HOURS = 24;

/** Most changes listed with one blast radius. */
export const MAX_RECENT_CHANGES = 100;

/** The objects whose changes are looked at, by target type. */
export type ChangeTargets = ReadonlyMap<TargetType, ReadonlySet<number>>;

/**
 * The objects of a blast radius whose recent changes may have caused it: every service it
 * names, the incident's devices and VMs, the devices, VMs and clusters of its root causes and
 * affected services, and the clusters of those devices and VMs.
 */
export function changeTargets(topology: TopologyIndex, radius: BlastRadius): ChangeTargets {
  const services = new Set([
    ...radius.rootCauses.map((r) => r.service),
    ...radius.affected,
    ...radius.downstream.map((r) => r.service),
  ]);
  const devices = new Set(radius.devices);
  const vms = new Set(radius.vms);
  const clusters = new Set<number>();
  for (const id of [...radius.rootCauses.map((r) => r.service), ...radius.affected]) {
    const node = topology.services.get(id);
    node?.devices.forEach((d) => devices.add(d));
    node?.vms.forEach((v) => vms.add(v));
    node?.clusters.forEach((c) => clusters.add(c));
  }
  for (const id of devices) {
    const cluster = topology.devices.get(id)?.clusterId;
    if (cluster != null) clusters.add(cluster);
  }
  for (const id of vms) {
    const cluster = topology.vms.get(id)?.clusterId;
    if (cluster != null) clusters.add(cluster);
  }
  return new Map<TargetType, ReadonlySet<number>>([
    ['technical_service', services],
    ['device', devices],
    ['virtual_machine', vms],
    ['cluster', clusters],
  ]);
}

/**
 * The changes recorded on `targets` in the RECENT_CHANGE_HOURS before `now` (none after it),
 * newest first, at most MAX_RECENT_CHANGES; `count` says how many there are in all. One query
 * over the (object_type, object_id, created_at) index.
 */
export async function recentChanges(
  changes: ResourceStore,
  targets: ChangeTargets,
  now: Date,
): Promise<ListPage> {
  const groups = [...targets].flatMap(([type, ids]) =>
    inSlices([...ids].sort((a, b) => a - b)).map((slice) => [type, slice] as const),
  );
  if (groups.length === 0) return { count: 0, rows: [] };
  const since = toStoredTime(new Date(now.getTime() - RECENT_CHANGE_HOURS * 3_600_000));
  const where: Condition[] = [
    (eb) => eb('created_at', '>=', since),
    (eb) => eb('created_at', '<=', toStoredTime(now)),
    (eb) =>
      eb.or(
        groups.map(([type, ids]) =>
          eb.and([eb('object_type', '=', type), eb('object_id', 'in', ids)]),
        ),
      ),
  ];
  return changes.list({ where, ordering: ['-created_at'], limit: MAX_RECENT_CHANGES, offset: 0 });
}

import { downstreamApplications } from './blast-radius.js';
import { servicesHostedBy } from './hosted-services.js';
import type { HealthStatus, ServiceHealth } from './service-health.js';
import type { TopologyIndex } from './topology-index.js';

/** A device or cluster whose downstream applications are asked for. */
export interface AppHost {
  readonly type: 'device' | 'cluster';
  readonly id: number;
}

/** What an application is reached through: an object it is linked to, or one of its services. */
export interface AppRoute {
  readonly type: 'device' | 'virtual_machine' | 'technical_service';
  readonly id: number;
}

/** A business application reached from a device or cluster. */
export interface HostedApp {
  readonly app: number;
  readonly status: HealthStatus;
  /** The nearest way it is reached: a direct link first, else its service nearest the host. */
  readonly via: AppRoute;
  /** Dependency hops from a service the host runs; 0 for a direct link or such a service. */
  readonly depth: number;
}

/** The devices and VMs of a host: a device and the VMs on it; a cluster's devices and VMs. */
function hostObjects(topology: TopologyIndex, host: AppHost) {
  if (host.type === 'device') {
    return { devices: [host.id], vms: topology.vmsByDevice.get(host.id) ?? [] };
  }
  const devices = topology.devicesByCluster.get(host.id) ?? [];
  const vms = [
    ...(topology.vmsByCluster.get(host.id) ?? []),
    ...devices.flatMap((device) => topology.vmsByDevice.get(device) ?? []),
  ];
  return { devices, vms: [...new Set(vms)] };
}

/**
 * The business applications a device or cluster reaches, as the plugin's downstream
 * applications (linked to the device, to a VM on it, or to a VM of the cluster) and beyond:
 * also those of the services it runs (see servicesHostedBy: a cluster's own, its VMs', its
 * devices') and of the services within maxDepth downstream of them. Ordered by appcode.
 * Cost: the host's objects and its services' downstream closure.
 */
export function hostApplications(
  topology: TopologyIndex,
  host: AppHost,
  health: ServiceHealth,
): HostedApp[] {
  const found = new Map<number, HostedApp>();
  const direct = (apps: readonly number[] | undefined, via: AppRoute) => {
    for (const app of apps ?? []) {
      if (!found.has(app)) found.set(app, { app, status: health.appStatus(app), via, depth: 0 });
    }
  };
  const { devices, vms } = hostObjects(topology, host);
  for (const id of [...devices].sort((a, b) => a - b)) {
    direct(topology.appsByDevice.get(id), { type: 'device', id });
  }
  for (const id of [...vms].sort((a, b) => a - b)) {
    direct(topology.appsByVm.get(id), { type: 'virtual_machine', id });
  }

  const hosted = servicesHostedBy(topology, { type: host.type, id: host.id });
  for (const reached of downstreamApplications(topology, hosted, health)) {
    if (found.has(reached.app)) continue;
    const via: AppRoute = { type: 'technical_service', id: reached.via };
    found.set(reached.app, { app: reached.app, status: reached.status, via, depth: reached.depth });
  }
  const code = (a: HostedApp) => topology.apps.get(a.app)?.appcode ?? '';
  return [...found.values()].sort((a, b) => code(a).localeCompare(code(b)));
}

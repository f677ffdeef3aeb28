import type { MaintenanceTargetType, TopologyIndex } from './topology-index.js';

/** An object that can host services or be named by a maintenance window. */
export interface HostRef {
  readonly type: MaintenanceTargetType;
  readonly id: number;
}

/**
 * The services that run on an object: a technical service is itself; a device hosts the
 * services listing it or a VM on it; a VM the services listing it; a cluster the services
 * listing it, one of its VMs, one of its devices or a VM on one of its devices. A business
 * application hosts none. May repeat a service; the caller removes duplicates if it cares.
 */
export function servicesHostedBy(topology: TopologyIndex, host: HostRef): number[] {
  const id = host.id;
  const ofVms = (vms: readonly number[] | undefined) =>
    (vms ?? []).flatMap((vm) => topology.servicesByVm.get(vm) ?? []);
  switch (host.type) {
    case 'technical_service':
      return topology.services.has(id) ? [id] : [];
    case 'device':
      return [...(topology.servicesByDevice.get(id) ?? []), ...ofVms(topology.vmsByDevice.get(id))];
    case 'virtual_machine':
      return topology.servicesByVm.get(id) ?? [];
    case 'cluster': {
      const devices = topology.devicesByCluster.get(id) ?? [];
      return [
        ...(topology.servicesByCluster.get(id) ?? []),
        ...ofVms(topology.vmsByCluster.get(id)),
        ...devices.flatMap((device) => topology.servicesByDevice.get(device) ?? []),
        ...devices.flatMap((device) => ofVms(topology.vmsByDevice.get(device))),
      ];
    }
    case 'business_application':
      return [];
  }
}

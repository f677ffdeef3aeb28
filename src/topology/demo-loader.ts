import type { ResourceRegistry } from '../store/resource-registry.js';
import type { Input, ResourceWriter } from '../store/resource-writer.js';
import { DEMO_TOPOLOGY, type DemoTopology } from './demo-topology.js';

export interface DemoLoadResult {
  /** False when the database already held inventory or services; nothing was written. */
  readonly loaded: boolean;
  readonly counts: Record<string, number>;
}

type Ids = Map<string, number>;

function idsOf(names: readonly string[], ids: readonly number[]): Ids {
  return new Map(names.map((name, i) => [name, ids[i]!]));
}

function lookup(ids: Ids, names: readonly string[] | undefined): number[] {
  return (names ?? []).map((name) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`demo topology names unknown object ${name}`);
    return id;
  });
}

async function isEmpty(registry: ResourceRegistry): Promise<boolean> {
  for (const resource of ['devices', 'technical-services', 'business-applications']) {
    const page = await registry
      .store(resource)
      .list({ where: [], ordering: [], limit: 1, offset: 0 });
    if (page.count > 0) return false;
  }
  return true;
}

type Create = (resource: string, inputs: Input[]) => Promise<number[]>;

async function loadInventory(create: Create, t: DemoTopology) {
  const clusters = idsOf(
    t.clusters.map((c) => c.name),
    await create(
      'clusters',
      t.clusters.map((c) => ({ ...c })),
    ),
  );
  const devices = idsOf(
    t.devices.map(([name]) => name),
    await create(
      'devices',
      t.devices.map(([name, role, cluster]) => ({
        name,
        role,
        site: 'dc-frankfurt-1',
        cluster: cluster === undefined ? null : lookup(clusters, [cluster])[0],
      })),
    ),
  );
  const vms = idsOf(
    t.virtualMachines.map(([name]) => name),
    await create(
      'virtual-machines',
      t.virtualMachines.map(([name, cluster, host]) => ({
        name,
        cluster: lookup(clusters, [cluster])[0],
        device: lookup(devices, [host])[0],
      })),
    ),
  );
  return { clusters, devices, vms };
}

async function loadServices(create: Create, t: DemoTopology): Promise<void> {
  const inventory = await loadInventory(create, t);
  const apps = idsOf(
    t.applications.map((a) => a.appcode),
    await create(
      'business-applications',
      t.applications.map(({ services: _services, ...app }) => ({ ...app })),
    ),
  );
  const appsOf = (service: string) =>
    t.applications.filter((a) => a.services.includes(service)).map((a) => a.appcode);

  const services = idsOf(
    t.services.map((s) => s.name),
    await create(
      'technical-services',
      t.services.map((s) => ({
        name: s.name,
        service_type: s.type ?? 'technical',
        business_apps: lookup(apps, appsOf(s.name)),
        devices: lookup(inventory.devices, s.devices),
        vms: lookup(inventory.vms, s.vms),
        clusters: lookup(inventory.clusters, s.clusters),
      })),
    ),
  );
  await create(
    'service-dependencies',
    t.dependencies.map(([up, down, group]) => ({
      name: group ?? `${down} on ${up}`,
      upstream_service: lookup(services, [up])[0],
      downstream_service: lookup(services, [down])[0],
      dependency_type: group === undefined ? 'normal' : 'redundancy',
    })),
  );
}

/**
 * Loads the demo topology into an empty database, in one transaction. A database that already
 * holds devices, services or applications is left alone.
 */
export async function loadDemoTopology(
  registry: ResourceRegistry,
  writer: ResourceWriter,
  t: DemoTopology = DEMO_TOPOLOGY,
): Promise<DemoLoadResult> {
  if (!(await isEmpty(registry))) return { loaded: false, counts: {} };

  await registry.database.db.transaction().execute(async (tx) => {
    const create: Create = (resource, inputs) =>
      writer.createWithin(tx, registry.spec(resource), inputs);
    await loadServices(create, t);
    await create(
      'event-sources',
      t.eventSources.map((name) => ({ name })),
    );
    await create(
      'change-types',
      t.changeTypes.map((name) => ({ name })),
    );
  });

  return {
    loaded: true,
    counts: {
      business_applications: t.applications.length,
      technical_services: t.services.length,
      service_dependencies: t.dependencies.length,
      devices: t.devices.length,
      virtual_machines: t.virtualMachines.length,
      clusters: t.clusters.length,
    },
  };
}

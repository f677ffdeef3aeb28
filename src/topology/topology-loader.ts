import type { Db } from '../store/database.js';
import { TopologyIndex, type MaintenanceTargetType } from './topology-index.js';

const LINKS = [
  ['technical_service_devices', 'device_id', 'device'],
  ['technical_service_virtual_machines', 'virtual_machine_id', 'vm'],
  ['technical_service_clusters', 'cluster_id', 'cluster'],
  ['technical_service_business_applications', 'business_application_id', 'app'],
] as const;

async function loadInventory(ex: Db, index: TopologyIndex): Promise<void> {
  for (const row of await ex.selectFrom('clusters').select(['id', 'name']).execute()) {
    index.clusters.set(Number(row.id), { id: Number(row.id), name: String(row.name) });
  }
  const devices = await ex.selectFrom('devices').select(['id', 'name', 'cluster_id']).execute();
  for (const row of devices) {
    const cluster = row.cluster_id === null ? null : Number(row.cluster_id);
    index.addDevice(Number(row.id), String(row.name), cluster);
  }
  const vms = await ex
    .selectFrom('virtual_machines')
    .select(['id', 'name', 'cluster_id', 'device_id'])
    .execute();
  for (const row of vms) {
    const cluster = row.cluster_id === null ? null : Number(row.cluster_id);
    const device = row.device_id === null ? null : Number(row.device_id);
    index.addVm(Number(row.id), String(row.name), cluster, device);
  }
  const apps = await ex
    .selectFrom('business_applications')
    .select(['id', 'appcode', 'name'])
    .execute();
  for (const row of apps) {
    const id = Number(row.id);
    index.apps.set(id, { id, appcode: String(row.appcode), name: String(row.name) });
  }
}

const APP_LINKS = [
  ['business_application_devices', 'device_id', 'device'],
  ['business_application_virtual_machines', 'virtual_machine_id', 'vm'],
] as const;

/** The rows of a link table as [owner, target] id pairs, ordered by owner, then target. */
async function readLinks(
  ex: Db,
  table: string,
  ownerColumn: string,
  targetColumn: string,
): Promise<Array<[number, number]>> {
  const rows = await ex
    .selectFrom(table)
    .select([`${ownerColumn} as owner`, `${targetColumn} as target`])
    .orderBy(ownerColumn)
    .orderBy(targetColumn)
    .execute();
  return rows.map((row) => [Number(row.owner), Number(row.target)]);
}

/** The devices and VMs business applications are linked to directly. */
async function loadAppLinks(ex: Db, index: TopologyIndex): Promise<void> {
  for (const [table, column, kind] of APP_LINKS) {
    const links = await readLinks(ex, table, 'business_application_id', column);
    for (const [app, target] of links) index.linkApp(app, kind, target);
  }
}

async function loadServices(ex: Db, index: TopologyIndex): Promise<void> {
  for (const row of await ex.selectFrom('technical_services').select(['id', 'name']).execute()) {
    index.addService(Number(row.id), String(row.name));
  }
  const dependencies = await ex
    .selectFrom('service_dependencies')
    .select(['id', 'upstream_service_id', 'downstream_service_id', 'dependency_type', 'name'])
    .orderBy('id')
    .execute();
  for (const row of dependencies) {
    index.addDependency(
      Number(row.id),
      Number(row.upstream_service_id),
      Number(row.downstream_service_id),
      String(row.dependency_type),
      String(row.name),
    );
  }
  for (const [table, column, kind] of LINKS) {
    const links = await readLinks(ex, table, 'technical_service_id', column);
    for (const [service, target] of links) index.linkService(service, kind, target);
  }
}

/** Counts the services and applications with a routing key (the keys stay in the database). */
async function countRoutingKeys(ex: Db, index: TopologyIndex): Promise<void> {
  for (const table of ['technical_services', 'business_applications']) {
    const row = await ex
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('pagerduty_routing_key', 'is not', null)
      .executeTakeFirst();
    index.routingKeyHolders += Number(row?.n ?? 0);
  }
}

async function loadMaintenance(ex: Db, index: TopologyIndex): Promise<void> {
  const windows = await ex
    .selectFrom('maintenance')
    .select(['id', 'status', 'planned_start', 'planned_end', 'object_type', 'object_id'])
    .where('status', 'in', ['planned', 'started'])
    .execute();
  for (const row of windows) {
    index.addMaintenance({
      id: Number(row.id),
      status: String(row.status),
      start: Date.parse(String(row.planned_start)),
      end: Date.parse(String(row.planned_end)),
      targetType: row.object_type as MaintenanceTargetType,
      targetId: Number(row.object_id),
    });
  }
}

/** Reads the topology tables into a new index for `version`. */
export async function loadTopology(
  ex: Db,
  version: number,
  maxDepth: number,
): Promise<TopologyIndex> {
  const index = new TopologyIndex(version, maxDepth);
  await loadInventory(ex, index);
  await loadAppLinks(ex, index);
  await loadServices(ex, index);
  await loadMaintenance(ex, index);
  await countRoutingKeys(ex, index);
  index.indexNames();
  return index;
}

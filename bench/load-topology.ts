import type { Database, Db } from '../src/store/database.js';
import { bumpCounter } from '../src/store/state-counters.js';
import type { GeneratedTopology } from './topology-generator.js';

const CHUNK = 500;
const NOW = '2026-01-01T00:00:00.000Z';
const common = { created: NOW, last_updated: NOW, tags: '[]', custom_fields: '{}' };

async function insertAll(tx: Db, table: string, rows: Array<Record<string, unknown>>) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

/**
 * Writes a generated topology straight into an empty, migrated database (ids kept), much faster
 * than through the API; then bumps the topology counter so a running server reloads.
 */
export async function loadGeneratedTopology(database: Database, t: GeneratedTopology) {
  await database.write(async (tx) => {
    await insertAll(
      tx,
      'clusters',
      t.clusters.map((c) => ({
        ...c,
        type: 'generated',
        site: 'dc-1',
        netbox_id: null,
        ...common,
      })),
    );
    await insertAll(
      tx,
      'devices',
      t.devices.map((d) => ({
        id: d.id,
        name: d.name,
        status: 'active',
        role: null,
        site: 'dc-1',
        cluster_id: d.clusterId,
        primary_ip: null,
        platform: null,
        netbox_id: null,
        ...common,
      })),
    );
    await insertAll(
      tx,
      'virtual_machines',
      t.vms.map((v) => ({
        id: v.id,
        name: v.name,
        status: 'active',
        cluster_id: v.clusterId,
        device_id: v.deviceId,
        primary_ip: null,
        netbox_id: null,
        ...common,
      })),
    );
    await insertAll(
      tx,
      'technical_services',
      t.services.map((s) => ({ id: s.id, name: s.name, service_type: 'technical', ...common })),
    );
    await insertAll(
      tx,
      'business_applications',
      t.apps.map((a) => ({
        id: a.id,
        appcode: a.appcode,
        name: a.name,
        description: '',
        owner: 'bench',
        delegate: null,
        servicenow: null,
        ...common,
      })),
    );
    await insertAll(
      tx,
      'service_dependencies',
      t.dependencies.map((d) => ({
        id: d.id,
        name: d.name,
        description: '',
        upstream_service_id: d.up,
        downstream_service_id: d.down,
        dependency_type: d.type,
        ...common,
      })),
    );
    await insertAll(
      tx,
      'technical_service_devices',
      t.serviceDevices.map(([s, d]) => ({ technical_service_id: s, device_id: d })),
    );
    await insertAll(
      tx,
      'technical_service_virtual_machines',
      t.serviceVms.map(([s, v]) => ({ technical_service_id: s, virtual_machine_id: v })),
    );
    await insertAll(
      tx,
      'technical_service_clusters',
      t.serviceClusters.map(([s, c]) => ({ technical_service_id: s, cluster_id: c })),
    );
    await insertAll(
      tx,
      'technical_service_business_applications',
      t.apps.flatMap((a) =>
        a.services.map((s) => ({ technical_service_id: s, business_application_id: a.id })),
      ),
    );
    await bumpCounter(tx, 'topology_version');
  });
}

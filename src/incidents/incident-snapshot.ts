import type { Severity } from '../config/settings.js';
import { inSlices, type Db } from '../store/database.js';

/** A service as a notification names it. */
export interface NamedService {
  readonly id: number;
  readonly name: string;
}

/** An incident as a transaction left it: what notifications describe. */
export interface IncidentSnapshot {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly status: string;
  readonly severity: Severity;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly detectedAt: string | null;
  readonly resolvedAt: string | null;
  readonly lastEventAt: string | null;
  readonly commander: string;
  readonly reporter: string;
  readonly autoCreated: boolean;
  readonly mergedInto: number | null;
  /** Most probable first. */
  readonly rootCauses: readonly NamedService[];
  /** By name; services listed only through a VM's cluster included. */
  readonly affected: readonly NamedService[];
  /** The affected services listed only through a VM's cluster (not failing themselves). */
  readonly context: readonly number[];
  readonly devices: readonly number[];
  readonly vms: readonly number[];
  readonly eventCount: number;
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

async function servicesOf(
  ex: Db,
  table: 'incident_services' | 'incident_root_causes',
  ids: readonly number[],
): Promise<Map<number, NamedService[]>> {
  const out = new Map<number, NamedService[]>();
  for (const slice of inSlices(ids)) {
    let query = ex
      .selectFrom(`${table} as link`)
      .innerJoin('technical_services as s', 's.id', 'link.technical_service_id')
      .select(['link.incident_id', 's.id', 's.name'])
      .where('link.incident_id', 'in', slice);
    query = table === 'incident_root_causes' ? query.orderBy('link.rank') : query.orderBy('s.name');
    for (const row of await query.execute()) {
      const list = out.get(Number(row.incident_id)) ?? [];
      list.push({ id: Number(row.id), name: String(row.name) });
      out.set(Number(row.incident_id), list);
    }
  }
  return out;
}

/** The ids linked to each incident through `table` (devices, VMs, context services). */
async function linkedIds(
  ex: Db,
  table: string,
  column: string,
  ids: readonly number[],
  contextOnly = false,
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const slice of inSlices(ids)) {
    let query = ex
      .selectFrom(table)
      .select(['incident_id', `${column} as other`])
      .where('incident_id', 'in', slice);
    if (contextOnly) query = query.where('context', '=', 1);
    for (const row of await query.orderBy(column).execute()) {
      const list = out.get(Number(row.incident_id)) ?? [];
      list.push(Number(row.other));
      out.set(Number(row.incident_id), list);
    }
  }
  return out;
}

async function eventCounts(ex: Db, ids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const slice of inSlices(ids)) {
    const rows = await ex
      .selectFrom('incident_events')
      .select(['incident_id', (eb) => eb.fn.countAll<number>().as('count')])
      .where('incident_id', 'in', slice)
      .groupBy('incident_id')
      .execute();
    for (const row of rows) out.set(Number(row.incident_id), Number(row.count));
  }
  return out;
}

/** The incidents among `ids` that exist, as they stand now, by id. */
export async function readIncidentSnapshots(
  ex: Db,
  ids: readonly number[],
): Promise<Map<number, IncidentSnapshot>> {
  const out = new Map<number, IncidentSnapshot>();
  if (ids.length === 0) return out;
  const roots = await servicesOf(ex, 'incident_root_causes', ids);
  const affected = await servicesOf(ex, 'incident_services', ids);
  const counts = await eventCounts(ex, ids);
  const context = await linkedIds(ex, 'incident_services', 'technical_service_id', ids, true);
  const devices = await linkedIds(ex, 'incident_devices', 'device_id', ids);
  const vms = await linkedIds(ex, 'incident_virtual_machines', 'virtual_machine_id', ids);
  for (const slice of inSlices(ids)) {
    const rows = await ex.selectFrom('incidents').selectAll().where('id', 'in', slice).execute();
    for (const row of rows) {
      const id = Number(row.id);
      out.set(id, {
        id,
        title: String(row.title),
        description: String(row.description),
        status: String(row.status),
        severity: row.severity as Severity,
        createdAt: String(row.created),
        updatedAt: String(row.last_updated),
        detectedAt: text(row.detected_at),
        resolvedAt: text(row.resolved_at),
        lastEventAt: text(row.last_event_at),
        commander: String(row.commander),
        reporter: String(row.reporter),
        autoCreated: row.auto_created === true || row.auto_created === 1,
        mergedInto: row.merged_into_id == null ? null : Number(row.merged_into_id),
        rootCauses: roots.get(id) ?? [],
        affected: affected.get(id) ?? [],
        context: context.get(id) ?? [],
        devices: devices.get(id) ?? [],
        vms: vms.get(id) ?? [],
        eventCount: counts.get(id) ?? 0,
      });
    }
  }
  return out;
}

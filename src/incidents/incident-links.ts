import type { Db } from '../store/database.js';
import { PreparedQuery, deferWrite } from '../store/prepared-query.js';

/** The link tables of an incident: table, column of the other side, field of its scope. */
export const LINKS = [
  ['incident_services', 'technical_service_id', 'services'],
  ['incident_devices', 'device_id', 'devices'],
  ['incident_virtual_machines', 'virtual_machine_id', 'vms'],
] as const;

/** Links the incident's services; `context` ones are listed only through a VM's cluster. */
export async function insertServices(
  tx: Db,
  id: number,
  services: readonly number[],
  context: readonly number[],
): Promise<void> {
  if (services.length === 0) return;
  await deferWrite(
    tx,
    tx.insertInto('incident_services').values(
      services.map((s) => ({
        incident_id: id,
        technical_service_id: s,
        context: context.includes(s) ? 1 : 0,
      })),
    ),
  );
}

/** Records the incident's root causes, best first. */
export async function insertRootCauses(
  tx: Db,
  id: number,
  roots: readonly number[],
): Promise<void> {
  if (roots.length === 0) return;
  await deferWrite(
    tx,
    tx
      .insertInto('incident_root_causes')
      .values(
        roots.map((service, rank) => ({ incident_id: id, technical_service_id: service, rank })),
      ),
  );
}

/** Links the incident to `ids` in the link table `table`. */
export async function insertLinks(
  tx: Db,
  table: string,
  column: string,
  id: number,
  ids: number[],
) {
  if (ids.length === 0) return;
  await deferWrite(
    tx,
    tx.insertInto(table).values(ids.map((other) => ({ incident_id: id, [column]: other }))),
  );
}

/** Links an event to an incident; affects no row when it is already linked. */
export const LINK_EVENT = new PreparedQuery<[number, number]>(2, (db, [incident, event]) =>
  db
    .insertInto('incident_events')
    .values({ incident_id: incident!, event_id: event! })
    .onConflict((oc) => oc.columns(['incident_id', 'event_id']).doNothing()),
);

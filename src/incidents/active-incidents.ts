import type { Severity } from '../config/settings.js';
import type { Db } from '../store/database.js';
import type { IncidentState } from './incident-index.js';
import { LINKS } from './incident-links.js';
import { parseGroups } from './incident-rows.js';
import { OPEN_INCIDENT_STATUSES } from './incident-spec.js';

const ms = (iso: unknown) => (iso === null || iso === undefined ? null : Date.parse(String(iso)));

/** Open and monitoring incidents with their services, devices, VMs and root causes. */
export async function loadActiveIncidents(ex: Db): Promise<IncidentState[]> {
  const rows = await ex
    .selectFrom('incidents')
    .selectAll()
    .where('status', 'in', [...OPEN_INCIDENT_STATUSES, 'monitoring'])
    .execute();
  const states = new Map<number, IncidentState>();
  for (const row of rows) states.set(Number(row.id), incidentStateOf(row));
  if (states.size === 0) return [];

  const ids = [...states.keys()];
  const context = await ex
    .selectFrom('incident_services')
    .select(['incident_id', 'technical_service_id'])
    .where('incident_id', 'in', ids)
    .where('context', '=', 1)
    .execute();
  for (const row of context) {
    states.get(Number(row.incident_id))!.context.add(Number(row.technical_service_id));
  }
  for (const [table, column, key] of [
    ...LINKS,
    ['incident_root_causes', 'technical_service_id', 'roots'] as const,
  ]) {
    let query = ex
      .selectFrom(table)
      .select(['incident_id', `${column} as other`])
      .where('incident_id', 'in', ids);
    if (key === 'roots') query = query.orderBy('incident_id').orderBy('rank');
    const links = await query.execute();
    for (const link of links) {
      const state = states.get(Number(link.incident_id))!;
      if (key === 'roots') state.rootCauses.push(Number(link.other));
      else state[key].add(Number(link.other));
    }
  }
  return [...states.values()];
}

/** The in-memory state of an incident row, without its links (loadActiveIncidents adds them). */
export function incidentStateOf(row: Record<string, unknown>): IncidentState {
  return {
    id: Number(row.id),
    status: String(row.status),
    severity: row.severity as Severity,
    services: new Set(),
    context: new Set(),
    groups: parseGroups(row.infra_groups),
    devices: new Set(),
    vms: new Set(),
    lastEventAt: ms(row.last_event_at) ?? ms(row.created) ?? 0,
    resolvedAt: ms(row.resolved_at),
    title: String(row.title),
    titleAuto: row.title_auto === true || row.title_auto === 1,
    autoCreated: row.auto_created === true || row.auto_created === 1,
    statusBeforeResolve: (row.status_before_resolve as string | null) ?? null,
    rootCauses: [],
  };
}

import type { IncidentState } from '../../src/incidents/incident-index.js';

/**
 * An open incident as the automation keeps it in memory, on `services`, opened by the
 * automation and not yet resolved; `changes` sets anything else.
 */
export function incidentState(
  id: number,
  services: readonly number[],
  changes: Partial<IncidentState> = {},
): IncidentState {
  return {
    id,
    status: 'new',
    severity: 'high',
    services: new Set(services),
    context: new Set(),
    groups: [],
    devices: new Set(),
    vms: new Set(),
    lastEventAt: 0,
    resolvedAt: null,
    title: `incident ${id}`,
    titleAuto: true,
    autoCreated: true,
    statusBeforeResolve: null,
    rootCauses: [],
    ...changes,
  };
}

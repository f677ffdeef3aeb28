import { expect } from 'vitest';

import { BASE, PLUGIN, type Harness } from '../support/harness.js';

/** The list path of every resource of the API. */
export const PATHS = {
  devices: '/api/dcim/devices/',
  virtualMachines: '/api/virtualization/virtual-machines/',
  clusters: '/api/virtualization/clusters/',
  businessApplications: `${PLUGIN}/business-applications/`,
  technicalServices: `${PLUGIN}/technical-services/`,
  serviceDependencies: `${PLUGIN}/service-dependencies/`,
  eventSources: `${PLUGIN}/event-sources/`,
  events: `${PLUGIN}/events/`,
  maintenance: `${PLUGIN}/maintenance/`,
  changeTypes: `${PLUGIN}/change-types/`,
  changes: `${PLUGIN}/changes/`,
  incidents: `${PLUGIN}/incidents/`,
} as const;

/** The time the harness clock is set to before each test. */
export const START = '2026-03-01T12:00:00.000Z';

/** Creates one object through the API and returns it; fails the test unless the answer is 201. */
export async function create(h: Harness, path: string, body: unknown): Promise<any> {
  const answer = await h.call('POST', path, { body });
  expect(answer.status, `POST ${path}: ${JSON.stringify(answer.body)}`).toBe(201);
  return answer.body;
}

/** Reads one object through the API; fails the test unless it exists. */
export async function read(h: Harness, path: string, id: number): Promise<any> {
  const answer = await h.call('GET', `${path}${id}/`);
  expect(answer.status).toBe(200);
  return answer.body;
}

/** How many objects a list holds. */
export async function countOf(h: Harness, path: string): Promise<number> {
  const answer = await h.call('GET', `${path}?limit=1`);
  expect(answer.status).toBe(200);
  return answer.body.count as number;
}

/** The full URL of an object, as `url` and brief objects give it. */
export function urlOf(path: string, id: number): string {
  return `${BASE}${path}${id}/`;
}

/** The brief nested form of an inventory object or a named plugin object. */
export function brief(path: string, id: number, name: string): Record<string, unknown> {
  return { id, url: urlOf(path, id), display: name, name };
}

/** The ids of a list's results, in order. */
export function idsOf(body: { results: Array<{ id: number }> }): number[] {
  return body.results.map((r) => r.id);
}

/** A maintenance window body on a target, valid unless overridden. */
export function maintenanceBody(
  objectType: string,
  objectId: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    status: 'planned',
    description: 'Replace the power supply',
    planned_start: '2026-03-02T22:00:00Z',
    planned_end: '2026-03-03T02:00:00Z',
    contact: 'ops@example.com',
    object_type: objectType,
    object_id: objectId,
    ...extra,
  };
}

let dedupSerial = 0;

/**
 * An event body, valid unless overridden, with a dedup_id of its own: these suites test the
 * CRUD contract, not how repeated alerts are folded.
 */
export function eventBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  dedupSerial += 1;
  return {
    message: 'Disk almost full',
    dedup_id: `alert-${dedupSerial}`,
    status: 'triggered',
    criticality: 'high',
    ...extra,
  };
}

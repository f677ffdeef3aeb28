import { afterAll, beforeAll, beforeEach, expect } from 'vitest';

import type { EventInput, EventOutcome } from '../../src/events/event-input.js';
import type { EventPipeline } from '../../src/events/event-pipeline.js';
import { createFaultline } from '../../src/faultline.js';
import type { EngineName } from '../support/databases.js';
import { PLUGIN, startHarness, type Harness } from '../support/harness.js';

/** The list path of every resource the automation scenarios touch. */
export const PATHS = {
  devices: '/api/dcim/devices/',
  virtualMachines: '/api/virtualization/virtual-machines/',
  clusters: '/api/virtualization/clusters/',
  technicalServices: `${PLUGIN}/technical-services/`,
  serviceDependencies: `${PLUGIN}/service-dependencies/`,
  eventSources: `${PLUGIN}/event-sources/`,
  events: `${PLUGIN}/events/`,
  maintenance: `${PLUGIN}/maintenance/`,
  incidents: `${PLUGIN}/incidents/`,
} as const;

/** The time the harness clock is set to before each test. */
export const START = '2026-03-01T12:00:00.000Z';

/** Automation on, with automatic resolution, as most scenarios want it. */
export const AUTO_RESOLVE = { BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: 'true' };

/** START plus `minutes`, as ISO 8601. */
export function at(minutes: number): string {
  return new Date(Date.parse(START) + minutes * 60_000).toISOString();
}

/** Creates one object through the API and returns it; fails the test unless the answer is 201. */
export async function create(h: Harness, path: string, body: unknown): Promise<any> {
  const answer = await h.call('POST', path, { body });
  expect(answer.status, `POST ${path}: ${JSON.stringify(answer.body)}`).toBe(201);
  return answer.body;
}

/** Reads one object through the API; fails the test unless it exists. */
export async function read(h: Harness, path: string, id: number): Promise<any> {
  const answer = await h.call('GET', `${path}${id}/`);
  expect(answer.status, `GET ${path}${id}/`).toBe(200);
  return answer.body;
}

/** Changes one object through the API; fails the test unless the answer is 200. */
export async function patch(h: Harness, path: string, id: number, body: unknown): Promise<any> {
  const answer = await h.call('PATCH', `${path}${id}/`, { body });
  expect(answer.status, `PATCH ${path}${id}/: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
}

/** Every object of a list (up to 1,000), in the API's order. */
export async function list(h: Harness, path: string, query = ''): Promise<any[]> {
  const answer = await h.call('GET', `${path}?limit=1000${query}`);
  expect(answer.status).toBe(200);
  return answer.body.results as any[];
}

/** The ids of brief nested objects, or of a list's results. */
export function ids(objects: ReadonlyArray<{ id: number }>): number[] {
  return objects.map((o) => o.id);
}

/** The names of brief nested objects. */
export function names(objects: ReadonlyArray<{ name: string }>): string[] {
  return objects.map((o) => o.name);
}

export async function device(h: Harness, name: string, extra = {}): Promise<any> {
  return create(h, PATHS.devices, { name, ...extra });
}

export async function service(h: Harness, name: string, links = {}): Promise<any> {
  return create(h, PATHS.technicalServices, { name, ...links });
}

/** `downstream` depends on `upstream`. */
export async function dependsOn(h: Harness, downstream: any, upstream: any): Promise<any> {
  return create(h, PATHS.serviceDependencies, {
    name: `${downstream.name} needs ${upstream.name}`,
    upstream_service: upstream.id,
    downstream_service: downstream.id,
  });
}

export async function eventSource(h: Harness, name = 'prometheus'): Promise<any> {
  return create(h, PATHS.eventSources, { name });
}

export interface Alert {
  readonly source: number;
  readonly dedup: string;
  readonly on: readonly [type: string, id: number];
  readonly status?: 'triggered' | 'ok' | 'suppressed';
  readonly criticality?: string;
  readonly message?: string;
  /** The alert's own time; receipt time (the harness clock) when absent. */
  readonly time?: string;
}

export function alertBody(alert: Alert): Record<string, unknown> {
  return {
    message: alert.message ?? `${alert.dedup} firing`,
    dedup_id: alert.dedup,
    status: alert.status ?? 'triggered',
    criticality: alert.criticality ?? 'high',
    event_source: alert.source,
    object_type: alert.on[0],
    object_id: alert.on[1],
    ...(alert.time === undefined ? {} : { created_at: alert.time }),
  };
}

/** Sends one alert through the events API and returns the stored event, read back. */
export async function send(h: Harness, alert: Alert): Promise<any> {
  const created = await create(h, PATHS.events, alertBody(alert));
  return read(h, PATHS.events, created.id);
}

/** Records an alert through the pipeline, the door that resolves targets by name. */
export async function record(
  h: Harness,
  input: Partial<EventInput> & Pick<EventInput, 'dedupId' | 'target'>,
): Promise<EventOutcome> {
  return h.faultline.pipeline.record({
    input: {
      source: { name: 'zabbix' },
      message: `${input.dedupId} firing`,
      status: 'triggered',
      criticality: 'high',
      ...input,
    },
  });
}

/** Records `alert` through `pipeline` as the events API would. */
export function recordAlert(pipeline: EventPipeline, alert: Alert): Promise<EventOutcome> {
  return pipeline.record({
    input: {
      source: { id: alert.source },
      dedupId: alert.dedup,
      message: alert.message ?? `${alert.dedup} firing`,
      status: alert.status ?? 'triggered',
      criticality: (alert.criticality ?? 'high') as EventInput['criticality'],
      target: { type: alert.on[0] as 'device', id: alert.on[1] },
      time: alert.time ?? null,
    },
  });
}

/**
 * A second Faultline on the harness's database, with its own in-memory indexes and queue: to
 * its decisions, another process. `dispose` stops it and leaves the database open.
 */
export async function secondInstance(
  h: Harness,
): Promise<{ pipeline: EventPipeline; dispose(): Promise<void> }> {
  const { settings, clock, logger, database } = h.faultline;
  const other = await createFaultline({ settings, clock, logger, database });
  return {
    pipeline: other.pipeline,
    dispose: async () => {
      await other.api.close();
      await other.pipeline.settled();
    },
  };
}

/** Every incident, oldest first. */
export async function incidents(h: Harness): Promise<any[]> {
  return (await list(h, PATHS.incidents)).sort((a, b) => a.id - b.id);
}

/** The timeline entries of an incident, oldest first. */
export async function timeline(h: Harness, incidentId: number): Promise<any[]> {
  const answer = await h.call('GET', `${PATHS.incidents}${incidentId}/timeline/`);
  expect(answer.status).toBe(200);
  return answer.body.results as any[];
}

/** The kinds of the timeline entries of an incident, oldest first. */
export async function timelineKinds(h: Harness, incidentId: number): Promise<string[]> {
  return (await timeline(h, incidentId)).map((e) => e.kind as string);
}

/**
 * A small shop: `database` runs on the host db-host-01; orders-api and billing-api depend on it;
 * web-shop depends on orders-api. `mail` on mail-01 shares nothing with them.
 */
export interface ShopTopology {
  readonly source: any;
  readonly dbHost: any;
  readonly mailHost: any;
  readonly database: any;
  readonly ordersApi: any;
  readonly billingApi: any;
  readonly webShop: any;
  readonly mail: any;
}

export async function shopTopology(h: Harness): Promise<ShopTopology> {
  const dbHost = await device(h, 'db-host-01');
  const mailHost = await device(h, 'mail-01');
  const database = await service(h, 'database', { devices: [dbHost.id] });
  const ordersApi = await service(h, 'orders-api');
  const billingApi = await service(h, 'billing-api');
  const webShop = await service(h, 'web-shop');
  const mail = await service(h, 'mail', { devices: [mailHost.id] });
  await dependsOn(h, ordersApi, database);
  await dependsOn(h, billingApi, database);
  await dependsOn(h, webShop, ordersApi);
  const source = await eventSource(h);
  return { source, dbHost, mailHost, database, ordersApi, billingApi, webShop, mail };
}

/**
 * Registers the hooks of a suite on the small shop: starts one harness on `engine` with `env`
 * for the suite; before each test empties it, sets the clock to START, builds the shop and
 * hands both to `receive`; closes the harness after the suite.
 */
export function useShopHarness(
  engine: EngineName,
  env: Record<string, string>,
  receive: (h: Harness, shop: ShopTopology) => void,
): void {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, env);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    receive(h, await shopTopology(h));
  });
  afterAll(async () => {
    await h.close();
  });
}

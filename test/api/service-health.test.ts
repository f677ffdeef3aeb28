import { describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { PLUGIN, type Harness } from '../support/harness.js';
import {
  AUTO_RESOLVE,
  PATHS,
  at,
  create,
  dependsOn,
  device,
  list,
  read,
  send,
  service,
  type ShopTopology,
  useShopHarness,
} from '../automation/automation-fixtures.js';

const APPS = `${PLUGIN}/business-applications/`;
const SERVICES = PATHS.technicalServices;

describe.each(engines())('service health through the API on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  const dbDown = () =>
    send(h, { source: shop.source.id, dedup: 'db-down', on: ['device', shop.dbHost.id] });

  async function healthOf(id: number): Promise<any> {
    const answer = await h.call('GET', `${SERVICES}${id}/health/`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  }

  async function statuses(): Promise<Record<string, string>> {
    const services = await list(h, SERVICES);
    return Object.fromEntries(services.map((s) => [s.name, s.health_status]));
  }

  it('shows every service healthy while nothing fails', async () => {
    expect(await statuses()).toEqual({
      'billing-api': 'healthy',
      database: 'healthy',
      mail: 'healthy',
      'orders-api': 'healthy',
      'web-shop': 'healthy',
    });
    expect(await healthOf(shop.webShop.id)).toMatchObject({
      health_status: 'healthy',
      reason: 'healthy',
      origin: null,
      path: [],
      detail: 'web-shop is healthy.',
    });
  });

  it('puts the failing service and everything below it down, in lists and details', async () => {
    await dbDown();
    const [incident] = await list(h, PATHS.incidents);

    expect(await statuses()).toEqual({
      'billing-api': 'down',
      database: 'down',
      mail: 'healthy',
      'orders-api': 'down',
      'web-shop': 'down',
    });
    expect((await read(h, SERVICES, shop.webShop.id)).health_status).toBe('down');

    const health = await healthOf(shop.webShop.id);
    expect(health).toMatchObject({
      service: { id: shop.webShop.id, name: 'web-shop' },
      health_status: 'down',
      reason: 'upstream',
      origin: { id: shop.database.id, name: 'database', health_status: 'down' },
      incidents: [{ id: incident.id, title: incident.title, status: 'new' }],
      maintenance: null,
      detail:
        'web-shop is down: it depends on database (database → orders-api → web-shop), ' +
        `and open incident #${incident.id} names database.`,
    });
    expect(
      health.path.map((p: any) => [p.name, p.health_status, p.dependency?.name ?? null]),
    ).toEqual([
      ['database', 'down', null],
      ['orders-api', 'down', 'orders-api needs database'],
      ['web-shop', 'down', 'web-shop needs orders-api'],
    ]);
    expect(health.path[1].dependency).toMatchObject({ dependency_type: 'normal', group: null });
  });

  it('says a service named by an incident is down on its own account', async () => {
    await dbDown();
    expect(await healthOf(shop.database.id)).toMatchObject({
      health_status: 'down',
      reason: 'incident',
      origin: { id: shop.database.id },
      path: [{ id: shop.database.id, dependency: null }],
    });
  });

  it('is healthy again once the incident is no longer open', async () => {
    await dbDown();
    await send(h, {
      source: shop.source.id,
      dedup: 'db-down',
      on: ['device', shop.dbHost.id],
      status: 'ok',
    });
    const [incident] = await list(h, PATHS.incidents);
    expect(incident.status).toBe('monitoring');
    expect(Object.values(await statuses()).every((s) => s === 'healthy')).toBe(true);
  });

  it('shows redundancy: one of two load balancers down degrades, both down is down', async () => {
    const lbA = await service(h, 'lb-a');
    const lbB = await service(h, 'lb-b');
    for (const lb of [lbA, lbB]) {
      await create(h, PATHS.serviceDependencies, {
        name: 'edge-pair',
        upstream_service: lb.id,
        downstream_service: shop.webShop.id,
        dependency_type: 'redundancy',
      });
    }
    const lbHost = await device(h, 'lb-host-a');
    await h.call('PATCH', `${SERVICES}${lbA.id}/`, { body: { devices: [lbHost.id] } });

    await send(h, { source: shop.source.id, dedup: 'lb-a', on: ['device', lbHost.id] });

    const health = await healthOf(shop.webShop.id);
    expect(health).toMatchObject({ health_status: 'degraded', reason: 'upstream' });
    expect(health.path.map((p: any) => p.name)).toEqual(['lb-a', 'web-shop']);
    expect(health.path[1].dependency).toMatchObject({
      name: 'edge-pair',
      dependency_type: 'redundancy',
      group: { members: 2, down: 1, impaired: 0 },
    });

    await send(h, { source: shop.source.id, dedup: 'lb-b', on: ['technical_service', lbB.id] });
    expect((await healthOf(shop.webShop.id)).health_status).toBe('down');
  });

  it('puts a service whose device is in maintenance under maintenance until the window ends', async () => {
    const window = await create(h, PATHS.maintenance, {
      status: 'started',
      description: 'Firmware upgrade',
      planned_start: at(-10),
      planned_end: at(60),
      contact: 'ops@example.com',
      object_type: 'device',
      object_id: shop.dbHost.id,
    });

    expect(await healthOf(shop.database.id)).toMatchObject({
      health_status: 'under_maintenance',
      reason: 'maintenance',
      incidents: [],
      maintenance: {
        id: window.id,
        status: 'started',
        object_type: 'device',
        object: { id: shop.dbHost.id, name: 'db-host-01' },
      },
    });
    const webShop = await healthOf(shop.webShop.id);
    expect(webShop).toMatchObject({
      health_status: 'degraded',
      reason: 'upstream',
      origin: { name: 'database', health_status: 'under_maintenance' },
      maintenance: { id: window.id },
    });

    // No write is needed: the window ends and the health follows.
    h.clock.set(at(61));
    expect((await healthOf(shop.database.id)).health_status).toBe('healthy');
    expect((await healthOf(shop.webShop.id)).health_status).toBe('healthy');
  });

  it('gives business applications the worst status of their services', async () => {
    const shopApp = await create(h, APPS, { appcode: 'SHOP', name: 'Shop', owner: 'Retail' });
    const mailApp = await create(h, APPS, { appcode: 'MAIL', name: 'Mail', owner: 'IT' });
    await h.call('PATCH', `${SERVICES}${shop.webShop.id}/`, {
      body: { business_apps: [shopApp.id] },
    });
    await h.call('PATCH', `${SERVICES}${shop.mail.id}/`, { body: { business_apps: [mailApp.id] } });

    await dbDown();

    const apps = await list(h, APPS);
    expect(apps.map((a) => [a.appcode, a.health_status])).toEqual([
      ['MAIL', 'healthy'],
      ['SHOP', 'down'],
    ]);
    expect((await read(h, APPS, shopApp.id)).health_status).toBe('down');
  });

  it('computes the health once per change of incidents, topology or maintenance', async () => {
    const views = h.faultline.views;
    const first = await views.read((view) => view.health);
    await list(h, SERVICES);
    expect(await views.read((view) => view.health)).toBe(first);

    await dbDown();
    const afterIncident = await views.read((view) => view.health);
    expect(afterIncident).not.toBe(first);
    expect(await views.read((view) => view.health)).toBe(afterIncident);

    const other = await service(h, 'reports');
    await dependsOn(h, other, shop.database);
    const afterTopology = await views.read((view) => view.health);
    expect(afterTopology).not.toBe(afterIncident);
    expect(afterTopology.status(other.id)).toBe('down');
  });

  it('answers 404 for an unknown service, 405 for writes and 401 without a token', async () => {
    const unknown = await h.call('GET', `${SERVICES}9999/health/`);
    expect(unknown).toMatchObject({
      status: 404,
      body: { detail: 'Technical service 9999 not found.' },
    });
    expect((await h.call('GET', `${SERVICES}abc/health/`)).status).toBe(404);
    const post = await h.call('POST', `${SERVICES}${shop.database.id}/health/`, { body: {} });
    expect(post).toMatchObject({ status: 405, body: { detail: 'Method "POST" not allowed.' } });
    const anonymous = await h.call('GET', `${SERVICES}${shop.database.id}/health/`, {
      token: null,
    });
    expect(anonymous.status).toBe(401);
    const reader = await h.call('GET', `${SERVICES}${shop.database.id}/health/`, {
      token: h.readToken,
    });
    expect(reader.status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { PLUGIN, type Harness } from '../support/harness.js';
import { PATHS, create, record } from '../automation/automation-fixtures.js';
import { idByName, useDemoHarness } from './demo-fixtures.js';

const DEVICE_APPS = `${PLUGIN}/devices/downstream-applications/`;
const CLUSTER_APPS = `${PLUGIN}/clusters/downstream-applications/`;
const APPS = `${PLUGIN}/business-applications/`;

describe.each(engines())('downstream applications on %s', (engine) => {
  let h: Harness;
  useDemoHarness(engine, (started) => (h = started));

  /** The list `{id}/` answers. */
  async function reached(path: string, id: number): Promise<any[]> {
    const answer = await h.call('GET', `${path}${id}/`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(Array.isArray(answer.body)).toBe(true);
    return answer.body as any[];
  }

  const appcodes = (apps: any[]) => apps.map((a) => a.appcode as string);
  const routes = (apps: any[]) =>
    apps.map((a) => [a.appcode, a.via_type, a.via.name, a.depth] as const);

  /** An application linked straight to devices and VMs, as the plugin links them. */
  const linkedApp = (appcode: string, links: { devices?: number[]; virtual_machines?: number[] }) =>
    create(h, APPS, { appcode, name: `${appcode} app`, owner: 'ops', ...links });

  it('lists what a device reaches through its services, as full application objects', async () => {
    const apps = await reached(DEVICE_APPS, await idByName(h, PATHS.devices, 'db-01'));

    expect(appcodes(apps)).toEqual(['MOBILE', 'PAY', 'SHOP']);
    expect(apps[0]).toMatchObject({
      appcode: 'MOBILE',
      name: 'Mobile App Backend',
      owner: 'Mobile Team',
      description: 'API gateway of the iOS and Android apps.',
      devices: [],
      virtual_machines: [],
      health_status: 'healthy',
      via_type: 'technical_service',
      via: { name: 'mobile-gateway' },
      depth: 2,
    });
    expect(apps[0].url).toMatch(/\/business-applications\/\d+\/$/);
  });

  it('includes applications linked to the device and to the VMs on it', async () => {
    const esx02 = await idByName(h, PATHS.devices, 'esx-02');
    const authVm = await idByName(h, PATHS.virtualMachines, 'auth-vm-01');
    await linkedApp('HOSTS', { devices: [esx02] });
    await linkedApp('IAM', { virtual_machines: [authVm] });

    const apps = await reached(DEVICE_APPS, esx02);

    expect(routes(apps)).toEqual([
      ['CRM', 'technical_service', 'crm-web', 1],
      ['HOSTS', 'device', 'esx-02', 0],
      // Linked to the VM and reached through its service: the direct link is named.
      ['IAM', 'virtual_machine', 'auth-vm-01', 0],
      ['MOBILE', 'technical_service', 'mobile-gateway', 1],
      ['PAY', 'technical_service', 'checkout-web', 1],
      ['SHOP', 'technical_service', 'orders-api', 0],
    ]);
  });

  it('answers the applications linked to a device that runs no service', async () => {
    const spare = await create(h, PATHS.devices, { name: 'spare-01' });
    expect(await reached(DEVICE_APPS, spare.id)).toEqual([]);

    await linkedApp('LEGACY', { devices: [spare.id] });
    expect(routes(await reached(DEVICE_APPS, spare.id))).toEqual([
      ['LEGACY', 'device', 'spare-01', 0],
    ]);
  });

  it("follows a cluster's VMs, its own services and those of its member devices", async () => {
    const k8s = await idByName(h, PATHS.clusters, 'k8s-prod');
    const node = await idByName(h, PATHS.devices, 'k8s-node-02');
    const ops = await linkedApp('OPS', {});
    await create(h, PATHS.technicalServices, {
      name: 'node-exporter',
      devices: [node],
      business_apps: [ops.id],
    });
    const vmware = await idByName(h, PATHS.clusters, 'vmw-prod');
    await linkedApp('BATCH', {
      virtual_machines: [await idByName(h, PATHS.virtualMachines, 'crm-web-vm-01')],
    });
    await record(h, {
      dedupId: 'gateway-5xx',
      target: { type: 'technical_service', identifier: 'mobile-gateway' },
    });

    const apps = await reached(CLUSTER_APPS, k8s);
    expect(apps.map((a) => [a.appcode, a.health_status, a.via.name])).toEqual([
      ['MOBILE', 'down', 'mobile-gateway'],
      ['OPS', 'healthy', 'node-exporter'],
      ['PAY', 'healthy', 'checkout-web'],
    ]);
    const onVmware = await reached(CLUSTER_APPS, vmware);
    expect(routes(onVmware).find((r) => r[0] === 'BATCH')).toEqual([
      'BATCH',
      'virtual_machine',
      'crm-web-vm-01',
      0,
    ]);
  });

  it("lists in the plugin's shape: results keyed by id, each with name and applications", async () => {
    const db01 = await idByName(h, PATHS.devices, 'db-01');
    const db03 = await idByName(h, PATHS.devices, 'db-03');
    const page = await h.call('GET', `${DEVICE_APPS}?name=db-01&name=db-03`);

    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ count: 2, limit: 20, offset: 0, next: null });
    expect(Object.keys(page.body.results).sort()).toEqual([String(db01), String(db03)].sort());
    expect(page.body.results[db01].name).toBe('db-01');
    expect(appcodes(page.body.results[db01].applications)).toEqual(['MOBILE', 'PAY', 'SHOP']);
    expect(page.body.results[db03]).toEqual({
      name: 'db-03',
      applications: [expect.objectContaining({ appcode: 'CRM', via: expect.any(Object) })],
    });
  });

  it('pages by limit (20 unless asked) and offset', async () => {
    const all = await h.call('GET', DEVICE_APPS);
    expect(all.body).toMatchObject({ count: 24, limit: 20, offset: 0, previous: null });
    expect(Object.keys(all.body.results)).toHaveLength(20);
    expect(all.body.next).toContain('offset=20');

    const first = await h.call('GET', `${CLUSTER_APPS}?limit=1`);
    expect(first.body).toMatchObject({ count: 2, limit: 1, offset: 0, previous: null });
    expect(first.body.next).toContain('offset=1');
    expect(Object.values(first.body.results).map((r: any) => r.name)).toEqual(['k8s-prod']);
    const second = await h.call('GET', `${CLUSTER_APPS}?limit=1&offset=1`);
    expect(second.body).toMatchObject({ limit: 1, offset: 1, next: null });
    expect(Object.values(second.body.results).map((r: any) => r.name)).toEqual(['vmw-prod']);
  });

  it('is read-only and says which object is unknown', async () => {
    const cluster = await idByName(h, PATHS.clusters, 'vmw-prod');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const answer = await h.call(method, `${CLUSTER_APPS}${cluster}/`, { body: {} });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
    }
    expect((await h.call('DELETE', DEVICE_APPS)).status).toBe(405);
    expect((await h.call('GET', `${PATHS.clusters}${cluster}/`)).status).toBe(200);

    const device = await h.call('GET', `${DEVICE_APPS}9999/`);
    expect(device).toMatchObject({ status: 404, body: { detail: 'Device 9999 not found.' } });
    const clusterAnswer = await h.call('GET', `${CLUSTER_APPS}9999/`);
    expect(clusterAnswer.body).toEqual({ detail: 'Cluster 9999 not found.' });
  });
});

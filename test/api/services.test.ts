import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, brief, countOf, create, read, urlOf } from './api-fixtures.js';

const { devices, virtualMachines, clusters, businessApplications, technicalServices } = PATHS;

function appBrief(id: number, appcode: string, name: string): Record<string, unknown> {
  return { id, url: urlOf(businessApplications, id), display: appcode, appcode, name };
}

describe.each(engines())('business application and technical service API on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
  });
  afterAll(async () => {
    await h.close();
  });

  describe('business applications', () => {
    it('creates an application with its devices and VMs shown as brief objects', async () => {
      const device = await create(h, devices, { name: 'web-01' });
      const vm = await create(h, virtualMachines, { name: 'shop-vm-1' });

      const app = await create(h, businessApplications, {
        appcode: 'SHOP',
        name: 'Web shop',
        description: 'Sells things',
        owner: 'Retail team',
        delegate: 'Jane',
        servicenow: 'https://servicenow.example.com/app/SHOP',
        devices: [device.id],
        virtual_machines: [vm.id],
      });

      expect(app).toEqual({
        id: app.id,
        url: urlOf(businessApplications, app.id),
        display: 'SHOP',
        appcode: 'SHOP',
        name: 'Web shop',
        description: 'Sells things',
        owner: 'Retail team',
        delegate: 'Jane',
        servicenow: 'https://servicenow.example.com/app/SHOP',
        devices: [brief(devices, device.id, 'web-01')],
        virtual_machines: [brief(virtualMachines, vm.id, 'shop-vm-1')],
        pagerduty_routing_key: null,
        tags: [],
        custom_fields: {},
        created: START,
        last_updated: START,
        health_status: 'healthy',
      });
    });

    it('lists applications in appcode order and reads one', async () => {
      await create(h, businessApplications, { appcode: 'PAY', name: 'Payments', owner: 'a' });
      const crm = await create(h, businessApplications, {
        appcode: 'CRM',
        name: 'CRM',
        owner: 'b',
      });

      const list = await h.call('GET', businessApplications);

      expect(list.body.count).toBe(2);
      expect(list.body.results.map((a: { appcode: string }) => a.appcode)).toEqual(['CRM', 'PAY']);
      expect(await read(h, businessApplications, crm.id)).toEqual(crm);
    });

    it('replaces, patches and deletes an application', async () => {
      const app = await create(h, businessApplications, {
        appcode: 'SHOP',
        name: 'Shop',
        owner: 'Retail',
        delegate: 'Jane',
      });

      const put = await h.call('PUT', `${businessApplications}${app.id}/`, {
        body: { appcode: 'SHOP2', name: 'Shop 2', owner: 'Digital' },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ appcode: 'SHOP2', display: 'SHOP2', owner: 'Digital' });

      const patch = await h.call('PATCH', `${businessApplications}${app.id}/`, {
        body: { delegate: null },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ appcode: 'SHOP2', delegate: null });

      expect((await h.call('DELETE', `${businessApplications}${app.id}/`)).status).toBe(204);
      expect((await h.call('GET', `${businessApplications}${app.id}/`)).status).toBe(404);
    });

    it('refuses a taken appcode on create and on update', async () => {
      await create(h, businessApplications, { appcode: 'SHOP', name: 'Shop', owner: 'a' });
      const pay = await create(h, businessApplications, {
        appcode: 'PAY',
        name: 'Pay',
        owner: 'a',
      });

      const post = await h.call('POST', businessApplications, {
        body: { appcode: 'SHOP', name: 'Other', owner: 'b' },
      });
      const patch = await h.call('PATCH', `${businessApplications}${pay.id}/`, {
        body: { appcode: 'SHOP' },
      });

      const message = { appcode: ['business application with this appcode already exists.'] };
      expect(post).toMatchObject({ status: 400, body: message });
      expect(patch).toMatchObject({ status: 400, body: message });
      expect(await countOf(h, businessApplications)).toBe(2);
      expect(await read(h, businessApplications, pay.id)).toEqual(pay);
    });

    it('refuses an appcode over 20 characters and a servicenow value that is no URL', async () => {
      const answer = await h.call('POST', businessApplications, {
        body: { appcode: 'A'.repeat(21), name: 'x', owner: 'y', servicenow: 'not a url' },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        appcode: ['Ensure this field has no more than 20 characters.'],
        servicenow: ['Enter a valid URL.'],
      });
      expect(await countOf(h, businessApplications)).toBe(0);
    });
  });

  describe('technical services', () => {
    async function inventory() {
      const cluster = await create(h, clusters, { name: 'vmw-prod' });
      const device = await create(h, devices, { name: 'db-01' });
      const vm = await create(h, virtualMachines, { name: 'db-vm-1' });
      const app = await create(h, businessApplications, {
        appcode: 'SHOP',
        name: 'Shop',
        owner: 'Retail',
      });
      return { cluster, device, vm, app };
    }

    it('creates a service whose relations are written as ids and read as briefs', async () => {
      const { cluster, device, vm, app } = await inventory();

      const service = await create(h, technicalServices, {
        name: 'orders-db',
        service_type: 'technical',
        business_apps: [app.id],
        devices: [device.id],
        vms: [vm.id],
        clusters: [cluster.id],
      });

      expect(service).toEqual({
        id: service.id,
        url: urlOf(technicalServices, service.id),
        display: 'orders-db',
        name: 'orders-db',
        service_type: 'technical',
        business_apps: [appBrief(app.id, 'SHOP', 'Shop')],
        devices: [brief(devices, device.id, 'db-01')],
        vms: [brief(virtualMachines, vm.id, 'db-vm-1')],
        clusters: [brief(clusters, cluster.id, 'vmw-prod')],
        pagerduty_routing_key: null,
        tags: [],
        custom_fields: {},
        created: START,
        last_updated: START,
        health_status: 'healthy',
      });
      expect(await read(h, technicalServices, service.id)).toEqual(service);
    });

    it('defaults service_type to technical and accepts logical', async () => {
      const plain = await create(h, technicalServices, { name: 'dns' });
      const logical = await create(h, technicalServices, {
        name: 'checkout',
        service_type: 'logical',
      });

      expect(plain.service_type).toBe('technical');
      expect(logical.service_type).toBe('logical');
    });

    it('replaces the devices of a service with PATCH and clears them with []', async () => {
      const one = await create(h, devices, { name: 'db-01' });
      const two = await create(h, devices, { name: 'db-02' });
      const service = await create(h, technicalServices, { name: 'db', devices: [one.id] });

      const replaced = await h.call('PATCH', `${technicalServices}${service.id}/`, {
        body: { devices: [two.id, one.id] },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.devices).toEqual([
        brief(devices, one.id, 'db-01'),
        brief(devices, two.id, 'db-02'),
      ]);

      const cleared = await h.call('PATCH', `${technicalServices}${service.id}/`, {
        body: { devices: [] },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.devices).toEqual([]);
    });

    it('keeps the relations a PUT leaves out and replaces those it names', async () => {
      const { cluster, device } = await inventory();
      const service = await create(h, technicalServices, {
        name: 'db',
        devices: [device.id],
        clusters: [cluster.id],
      });

      const put = await h.call('PUT', `${technicalServices}${service.id}/`, {
        body: { name: 'db-renamed', clusters: [] },
      });

      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        name: 'db-renamed',
        devices: [brief(devices, device.id, 'db-01')],
        clusters: [],
      });
    });

    it('refuses related ids that do not exist and keeps the old relations', async () => {
      const { device } = await inventory();
      const service = await create(h, technicalServices, { name: 'db', devices: [device.id] });

      const patch = await h.call('PATCH', `${technicalServices}${service.id}/`, {
        body: { devices: [device.id, 404], vms: [405], business_apps: [406], clusters: [407] },
      });

      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({
        devices: ['Invalid pk "404" - object does not exist.'],
        vms: ['Invalid pk "405" - object does not exist.'],
        business_apps: ['Invalid pk "406" - object does not exist.'],
        clusters: ['Invalid pk "407" - object does not exist.'],
      });
      expect(await read(h, technicalServices, service.id)).toEqual(service);
    });

    it('refuses relation lists of the wrong type', async () => {
      const answer = await h.call('POST', technicalServices, {
        body: { name: 'db', devices: 'db-01', vms: ['vm-1'] },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        devices: ['Expected a list of items but got type "str".'],
        vms: ['A valid integer is required.'],
      });
      expect(await countOf(h, technicalServices)).toBe(0);
    });

    it('refuses an unknown service_type and a taken name, storing nothing', async () => {
      await create(h, technicalServices, { name: 'db' });

      const badType = await h.call('POST', technicalServices, {
        body: { name: 'api', service_type: 'business' },
      });
      const taken = await h.call('POST', technicalServices, { body: { name: 'db' } });

      expect(badType.status).toBe(400);
      expect(badType.body).toEqual({ service_type: ['"business" is not a valid choice.'] });
      expect(taken.status).toBe(400);
      expect(taken.body).toEqual({ name: ['technical service with this name already exists.'] });
      expect(await countOf(h, technicalServices)).toBe(1);
    });

    it('drops a deleted device from the services that listed it', async () => {
      const { device } = await inventory();
      const other = await create(h, devices, { name: 'db-02' });
      const service = await create(h, technicalServices, {
        name: 'db',
        devices: [device.id, other.id],
      });

      expect((await h.call('DELETE', `${devices}${device.id}/`)).status).toBe(204);

      expect((await read(h, technicalServices, service.id)).devices).toEqual([
        brief(devices, other.id, 'db-02'),
      ]);
    });

    it('deletes a service with 204 and keeps the objects it linked to', async () => {
      const { device, app } = await inventory();
      const service = await create(h, technicalServices, {
        name: 'db',
        devices: [device.id],
        business_apps: [app.id],
      });

      expect((await h.call('DELETE', `${technicalServices}${service.id}/`)).status).toBe(204);

      expect((await h.call('GET', `${technicalServices}${service.id}/`)).status).toBe(404);
      expect(await countOf(h, devices)).toBe(1);
      expect(await countOf(h, businessApplications)).toBe(1);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, brief, countOf, create, read, urlOf } from './api-fixtures.js';

const { devices, virtualMachines, clusters } = PATHS;

describe.each(engines())('inventory API on %s', (engine) => {
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

  describe('clusters', () => {
    it('creates a cluster and answers it with url, display and common fields', async () => {
      const answer = await h.call('POST', clusters, {
        body: { name: 'vmw-prod', type: 'vmware', site: 'dc1', netbox_id: 7, tags: ['prod'] },
      });

      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: answer.body.id,
        url: urlOf(clusters, answer.body.id),
        display: 'vmw-prod',
        name: 'vmw-prod',
        type: 'vmware',
        site: 'dc1',
        netbox_id: 7,
        tags: ['prod'],
        custom_fields: {},
        created: START,
        last_updated: START,
      });
    });

    it('lists, reads, replaces, patches and deletes a cluster', async () => {
      const { id } = await create(h, clusters, { name: 'k8s-a', type: 'kubernetes' });
      await create(h, clusters, { name: 'hv-b' });

      const list = await h.call('GET', clusters);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ count: 2, next: null, previous: null });
      expect(list.body.results.map((c: { name: string }) => c.name)).toEqual(['hv-b', 'k8s-a']);
      expect((await read(h, clusters, id)).type).toBe('kubernetes');

      h.clock.set('2026-03-01T13:00:00.000Z');
      const put = await h.call('PUT', `${clusters}${id}/`, {
        body: { name: 'k8s-a2', type: 'openshift', site: 'dc2' },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ name: 'k8s-a2', type: 'openshift', site: 'dc2' });
      expect(put.body.last_updated).toBe('2026-03-01T13:00:00.000Z');
      expect(put.body.created).toBe(START);

      const patch = await h.call('PATCH', `${clusters}${id}/`, { body: { site: null } });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ name: 'k8s-a2', type: 'openshift', site: null });

      const deleted = await h.call('DELETE', `${clusters}${id}/`);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeNull();
      expect((await h.call('GET', `${clusters}${id}/`)).status).toBe(404);
      expect(await countOf(h, clusters)).toBe(1);
    });
  });

  describe('devices', () => {
    it('shows the cluster of a device as a brief object and takes its id on write', async () => {
      const cluster = await create(h, clusters, { name: 'vmw-prod' });

      const device = await create(h, devices, {
        name: 'esx-01',
        role: 'hypervisor',
        site: 'dc1',
        cluster: cluster.id,
        primary_ip: '10.0.0.11',
        platform: 'esxi',
      });

      expect(device).toMatchObject({
        url: urlOf(devices, device.id),
        display: 'esx-01',
        name: 'esx-01',
        status: 'active',
        role: 'hypervisor',
        site: 'dc1',
        cluster: brief(clusters, cluster.id, 'vmw-prod'),
        primary_ip: '10.0.0.11',
        platform: 'esxi',
        netbox_id: null,
      });
      expect(await read(h, devices, device.id)).toEqual(device);
    });

    it('lists devices in name order inside the NetBox envelope', async () => {
      await create(h, devices, { name: 'web-02' });
      await create(h, devices, { name: 'db-01' });
      await create(h, devices, { name: 'web-01' });

      const list = await h.call('GET', devices);

      expect(list.status).toBe(200);
      expect(Object.keys(list.body)).toEqual(['count', 'next', 'previous', 'results']);
      expect(list.body.count).toBe(3);
      expect(list.body.results.map((d: { name: string }) => d.name)).toEqual([
        'db-01',
        'web-01',
        'web-02',
      ]);
    });

    it('replaces a device with PUT and keeps the fields the body leaves out', async () => {
      const cluster = await create(h, clusters, { name: 'c1' });
      const device = await create(h, devices, { name: 'db-01', role: 'db', cluster: cluster.id });

      const put = await h.call('PUT', `${devices}${device.id}/`, {
        body: { name: 'db-01a', status: 'offline', cluster: null },
      });

      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        name: 'db-01a',
        status: 'offline',
        cluster: null,
        role: 'db',
      });
      expect(await read(h, devices, device.id)).toEqual(put.body);
    });

    it('refuses a PUT that lacks a required field and leaves the device as it was', async () => {
      const device = await create(h, devices, { name: 'db-01', role: 'db' });

      const put = await h.call('PUT', `${devices}${device.id}/`, { body: { role: 'web' } });

      expect(put.status).toBe(400);
      expect(put.body).toEqual({ name: ['This field is required.'] });
      expect(await read(h, devices, device.id)).toEqual(device);
    });

    it('patches only the given fields and moves last_updated', async () => {
      const device = await create(h, devices, { name: 'db-01', role: 'db', site: 'dc1' });
      h.clock.set('2026-03-01T12:30:00.000Z');

      const patch = await h.call('PATCH', `${devices}${device.id}/`, {
        body: { status: 'failed' },
      });

      expect(patch.status).toBe(200);
      expect(patch.body).toEqual({
        ...device,
        status: 'failed',
        last_updated: '2026-03-01T12:30:00.000Z',
      });
    });

    it('deletes a device with 204, after which it is not found', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const deleted = await h.call('DELETE', `${devices}${device.id}/`);

      expect(deleted.status).toBe(204);
      expect(await h.call('GET', `${devices}${device.id}/`)).toMatchObject({
        status: 404,
        body: { detail: 'Not found.' },
      });
      expect((await h.call('DELETE', `${devices}${device.id}/`)).status).toBe(404);
      expect(await countOf(h, devices)).toBe(0);
    });

    it('answers 404 for every method on a device that does not exist', async () => {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' };
        const answer = await h.call(method, `${devices}4242/`, { body });
        expect(answer.status, method).toBe(404);
        expect(answer.body).toEqual({ detail: 'Not found.' });
      }
      expect(await countOf(h, devices)).toBe(0);
    });

    it('refuses a cluster id that does not exist and stores nothing', async () => {
      const answer = await h.call('POST', devices, { body: { name: 'db-01', cluster: 99 } });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ cluster: ['Invalid pk "99" - object does not exist.'] });
      expect(await countOf(h, devices)).toBe(0);
    });

    it("takes NetBox's device statuses and refuses any other, on create and PATCH", async () => {
      const statuses = ['offline', 'active', 'planned', 'staged', 'failed', 'inventory'];
      for (const status of [...statuses, 'decommissioning']) {
        expect((await create(h, devices, { name: `d-${status}`, status })).status).toBe(status);
      }

      for (const status of ['paused', 'Active', 'maintenance', '']) {
        const answer = await h.call('POST', devices, { body: { name: 'x', status } });
        expect(answer.status, status).toBe(400);
        expect(answer.body).toEqual({ status: [`"${status}" is not a valid choice.`] });
      }
      const device = await read(h, devices, (await create(h, devices, { name: 'y' })).id);
      const patch = await h.call('PATCH', `${devices}${device.id}/`, { body: { status: 'up' } });
      expect(patch.status).toBe(400);
      expect(await read(h, devices, device.id)).toEqual(device);
      expect((await h.call('GET', `${devices}?status=up`)).status).toBe(400);
    });

    it('refuses a second device with the same name or the same netbox_id', async () => {
      await create(h, devices, { name: 'db-01', netbox_id: 11 });

      const sameName = await h.call('POST', devices, { body: { name: 'db-01' } });
      const sameNetboxId = await h.call('POST', devices, {
        body: { name: 'db-02', netbox_id: 11 },
      });

      expect(sameName.status).toBe(400);
      expect(sameName.body).toEqual({ name: ['device with this name already exists.'] });
      expect(sameNetboxId.status).toBe(400);
      expect(sameNetboxId.body).toEqual({
        netbox_id: ['device with this netbox_id already exists.'],
      });
      expect(await countOf(h, devices)).toBe(1);
    });

    it('keeps the devices of a deleted cluster, without a cluster', async () => {
      const cluster = await create(h, clusters, { name: 'c1' });
      const device = await create(h, devices, { name: 'esx-01', cluster: cluster.id });

      expect((await h.call('DELETE', `${clusters}${cluster.id}/`)).status).toBe(204);

      expect((await read(h, devices, device.id)).cluster).toBeNull();
    });
  });

  describe('virtual machines', () => {
    it('shows the cluster and the host device of a VM as brief objects', async () => {
      const cluster = await create(h, clusters, { name: 'vmw-prod' });
      const host = await create(h, devices, { name: 'esx-01', cluster: cluster.id });

      const vm = await create(h, virtualMachines, {
        name: 'orders-vm-1',
        status: 'staged',
        cluster: cluster.id,
        device: host.id,
        primary_ip: '10.1.0.5',
      });

      expect(vm).toMatchObject({
        url: urlOf(virtualMachines, vm.id),
        display: 'orders-vm-1',
        status: 'staged',
        cluster: brief(clusters, cluster.id, 'vmw-prod'),
        device: brief(devices, host.id, 'esx-01'),
        primary_ip: '10.1.0.5',
      });
      const list = await h.call('GET', virtualMachines);
      expect(list.body.results).toEqual([vm]);
    });

    it("takes NetBox's virtual machine statuses and refuses any other", async () => {
      const statuses = ['offline', 'active', 'planned', 'staged', 'failed', 'decommissioning'];
      for (const status of [...statuses, 'paused']) {
        const vm = await create(h, virtualMachines, { name: `vm-${status}`, status });
        expect(vm.status).toBe(status);
      }

      for (const status of ['inventory', 'running', ' ']) {
        const answer = await h.call('POST', virtualMachines, { body: { name: 'x', status } });
        expect(answer.status, status).toBe(400);
        expect(answer.body).toEqual({ status: [`"${status}" is not a valid choice.`] });
      }
      expect(await countOf(h, virtualMachines)).toBe(7);
    });

    it('moves a VM to another host with PATCH and PUT', async () => {
      const a = await create(h, devices, { name: 'esx-a' });
      const b = await create(h, devices, { name: 'esx-b' });
      const vm = await create(h, virtualMachines, { name: 'vm-1', device: a.id });

      const patch = await h.call('PATCH', `${virtualMachines}${vm.id}/`, {
        body: { device: b.id },
      });
      expect(patch.status).toBe(200);
      expect(patch.body.device).toEqual(brief(devices, b.id, 'esx-b'));

      const put = await h.call('PUT', `${virtualMachines}${vm.id}/`, {
        body: { name: 'vm-1b', device: a.id },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ name: 'vm-1b', device: brief(devices, a.id, 'esx-a') });
    });

    it('refuses a host device that does not exist and leaves the VM unchanged', async () => {
      const vm = await create(h, virtualMachines, { name: 'vm-1' });

      const patch = await h.call('PATCH', `${virtualMachines}${vm.id}/`, {
        body: { device: 77, cluster: 78 },
      });

      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({
        device: ['Invalid pk "77" - object does not exist.'],
        cluster: ['Invalid pk "78" - object does not exist.'],
      });
      expect(await read(h, virtualMachines, vm.id)).toEqual(vm);
    });

    it('keeps a VM whose host device is deleted, without a host', async () => {
      const host = await create(h, devices, { name: 'esx-01' });
      const vm = await create(h, virtualMachines, { name: 'vm-1', device: host.id });

      expect((await h.call('DELETE', `${devices}${host.id}/`)).status).toBe(204);

      expect((await read(h, virtualMachines, vm.id)).device).toBeNull();
    });

    it('deletes a VM with 204, after which it is not found', async () => {
      const vm = await create(h, virtualMachines, { name: 'vm-1' });

      expect((await h.call('DELETE', `${virtualMachines}${vm.id}/`)).status).toBe(204);

      expect((await h.call('GET', `${virtualMachines}${vm.id}/`)).status).toBe(404);
      expect(await countOf(h, virtualMachines)).toBe(0);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  brief,
  countOf,
  create,
  idsOf,
  maintenanceBody,
  read,
  urlOf,
} from './api-fixtures.js';

const { devices, virtualMachines, clusters, technicalServices, businessApplications } = PATHS;
const { maintenance, changeTypes, changes } = PATHS;

describe.each(engines())('maintenance, change type and change API on %s', (engine) => {
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

  describe('maintenance', () => {
    it('creates a window on a device and shows the device as its object', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const answer = await h.call('POST', maintenance, {
        body: maintenanceBody('device', device.id),
      });

      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: answer.body.id,
        url: urlOf(maintenance, answer.body.id),
        display: 'Replace the power supply',
        status: 'planned',
        description: 'Replace the power supply',
        planned_start: '2026-03-02T22:00:00.000Z',
        planned_end: '2026-03-03T02:00:00.000Z',
        contact: 'ops@example.com',
        object_type: 'device',
        object_id: device.id,
        object: brief(devices, device.id, 'db-01'),
        tags: [],
        custom_fields: {},
        created: START,
        last_updated: START,
      });
    });

    it('targets each kind of object through object_type and object_id', async () => {
      const vm = await create(h, virtualMachines, { name: 'vm-1' });
      const cluster = await create(h, clusters, { name: 'c-1' });
      const service = await create(h, technicalServices, { name: 'svc-1' });
      const app = await create(h, businessApplications, {
        appcode: 'APP',
        name: 'App',
        owner: 'o',
      });

      const targets: Array<[string, number, string, Record<string, unknown>]> = [
        ['virtual_machine', vm.id, virtualMachines, { display: 'vm-1', name: 'vm-1' }],
        ['cluster', cluster.id, clusters, { display: 'c-1', name: 'c-1' }],
        ['technical_service', service.id, technicalServices, { display: 'svc-1', name: 'svc-1' }],
        [
          'business_application',
          app.id,
          businessApplications,
          { display: 'APP', appcode: 'APP', name: 'App' },
        ],
      ];
      for (const [type, id, path, fields] of targets) {
        const window = await create(h, maintenance, maintenanceBody(type, id));
        expect(window).toMatchObject({ object_type: type, object_id: id });
        expect(window.object).toEqual({ id, url: urlOf(path, id), ...fields });
      }
      expect(await countOf(h, maintenance)).toBe(4);
    });

    it('lists, replaces, patches and deletes a window', async () => {
      const a = await create(h, devices, { name: 'a' });
      const b = await create(h, devices, { name: 'b' });
      const late = await create(h, maintenance, maintenanceBody('device', a.id));
      const early = await create(
        h,
        maintenance,
        maintenanceBody('device', a.id, {
          planned_start: '2026-03-02T08:00:00Z',
          planned_end: '2026-03-02T09:00:00Z',
        }),
      );

      const list = await h.call('GET', maintenance);
      expect(idsOf(list.body)).toEqual([early.id, late.id]);

      const put = await h.call('PUT', `${maintenance}${late.id}/`, {
        body: maintenanceBody('device', b.id, { status: 'started', contact: 'noc' }),
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        status: 'started',
        contact: 'noc',
        object: brief(devices, b.id, 'b'),
      });

      const patch = await h.call('PATCH', `${maintenance}${late.id}/`, {
        body: { status: 'finished' },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ status: 'finished', contact: 'noc' });

      expect((await h.call('DELETE', `${maintenance}${late.id}/`)).status).toBe(204);
      expect((await h.call('GET', `${maintenance}${late.id}/`)).status).toBe(404);
      expect(await countOf(h, maintenance)).toBe(1);
    });

    it('refuses a planned_end that is not after planned_start', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const before = await h.call('POST', maintenance, {
        body: maintenanceBody('device', device.id, { planned_end: '2026-03-02T21:00:00Z' }),
      });
      const equal = await h.call('POST', maintenance, {
        body: maintenanceBody('device', device.id, { planned_end: '2026-03-02T22:00:00Z' }),
      });

      for (const answer of [before, equal]) {
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ planned_end: ['Must be after planned_start.'] });
      }
      expect(await countOf(h, maintenance)).toBe(0);
    });

    it('refuses a PATCH that moves the start past the stored end, changing nothing', async () => {
      const device = await create(h, devices, { name: 'db-01' });
      const window = await create(h, maintenance, maintenanceBody('device', device.id));

      const patch = await h.call('PATCH', `${maintenance}${window.id}/`, {
        body: { planned_start: '2026-03-03T03:00:00Z', status: 'started' },
      });

      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({ planned_end: ['Must be after planned_start.'] });
      expect(await read(h, maintenance, window.id)).toEqual(window);
    });

    it('reads times without an offset as UTC, whatever the server time zone', async () => {
      const device = await create(h, devices, { name: 'db-01' });
      const zone = process.env.TZ;
      process.env.TZ = 'Asia/Tokyo';
      try {
        const answer = await h.call('POST', maintenance, {
          body: maintenanceBody('device', device.id, {
            planned_start: '2026-03-02T22:00:00Z',
            planned_end: '2026-03-02T23:00:00',
          }),
        });
        expect(answer.status).toBe(201);
        expect(answer.body.planned_end).toBe('2026-03-02T23:00:00.000Z');
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });

    it('refuses bad datetimes, an unknown status and missing fields', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const badTimes = await h.call('POST', maintenance, {
        body: maintenanceBody('device', device.id, {
          planned_start: 'tomorrow',
          planned_end: '2026-02-30T10:00:00Z',
          status: 'postponed',
        }),
      });
      const missing = await h.call('POST', maintenance, { body: { status: 'planned' } });

      const format =
        'Datetime has wrong format. Use one of these formats instead: ' +
        'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
      expect(badTimes.status).toBe(400);
      expect(badTimes.body).toEqual({
        planned_start: [format],
        planned_end: [format],
        status: ['"postponed" is not a valid choice.'],
      });
      expect(missing.status).toBe(400);
      expect(Object.keys(missing.body).sort()).toEqual([
        'contact',
        'description',
        'object_id',
        'object_type',
        'planned_end',
        'planned_start',
      ]);
      expect(missing.body.contact).toEqual(['This field is required.']);
      expect(await countOf(h, maintenance)).toBe(0);
    });

    it('refuses an unknown object_type, a missing target and a null target', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const unknownType = await h.call('POST', maintenance, {
        body: maintenanceBody('router', device.id),
      });
      const missingTarget = await h.call('POST', maintenance, {
        body: maintenanceBody('device', 999),
      });
      const nullTarget = await h.call('POST', maintenance, {
        body: maintenanceBody('device', device.id, { object_type: null, object_id: null }),
      });

      expect(unknownType.status).toBe(400);
      expect(unknownType.body).toEqual({ object_type: ['"router" is not a valid choice.'] });
      expect(missingTarget.status).toBe(400);
      expect(missingTarget.body).toEqual({ object_id: ['No device with id 999.'] });
      expect(nullTarget.status).toBe(400);
      expect(nullTarget.body).toEqual({
        object_type: ['This field may not be null.'],
        object_id: ['This field may not be null.'],
      });
      expect(await countOf(h, maintenance)).toBe(0);
    });
  });

  describe('change types and changes', () => {
    it('creates, lists, replaces, patches and deletes a change type', async () => {
      const type = await create(h, changeTypes, { name: 'deploy', description: 'A release' });
      await create(h, changeTypes, { name: 'config' });

      expect(type).toMatchObject({
        url: urlOf(changeTypes, type.id),
        display: 'deploy',
        name: 'deploy',
        description: 'A release',
      });
      const list = await h.call('GET', changeTypes);
      expect(list.body.results.map((t: { name: string }) => t.name)).toEqual(['config', 'deploy']);

      const put = await h.call('PUT', `${changeTypes}${type.id}/`, { body: { name: 'release' } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ name: 'release', description: 'A release' });
      const patch = await h.call('PATCH', `${changeTypes}${type.id}/`, {
        body: { description: 'Software release' },
      });
      expect(patch.body).toMatchObject({ name: 'release', description: 'Software release' });

      expect((await h.call('DELETE', `${changeTypes}${type.id}/`)).status).toBe(204);
      expect((await h.call('GET', `${changeTypes}${type.id}/`)).status).toBe(404);
    });

    it('refuses renaming a change type to a taken name and keeps it as it was', async () => {
      await create(h, changeTypes, { name: 'deploy' });
      const config = await create(h, changeTypes, { name: 'config' });

      const put = await h.call('PUT', `${changeTypes}${config.id}/`, { body: { name: 'deploy' } });

      expect(put.status).toBe(400);
      expect(put.body).toEqual({ name: ['change type with this name already exists.'] });
      expect(await read(h, changeTypes, config.id)).toEqual(config);
    });

    it('creates a change with its type and target as brief objects', async () => {
      const type = await create(h, changeTypes, { name: 'deploy' });
      const service = await create(h, technicalServices, { name: 'orders-api' });

      const change = await create(h, changes, {
        type: type.id,
        description: 'Release 4.2',
        object_type: 'technical_service',
        object_id: service.id,
      });

      expect(change).toEqual({
        id: change.id,
        url: urlOf(changes, change.id),
        display: 'Release 4.2',
        type: brief(changeTypes, type.id, 'deploy'),
        description: 'Release 4.2',
        created_at: START,
        object_type: 'technical_service',
        object_id: service.id,
        object: brief(technicalServices, service.id, 'orders-api'),
        tags: [],
        custom_fields: {},
        created: START,
        last_updated: START,
      });
    });

    it('lists changes newest first and lets created_at be given', async () => {
      const type = await create(h, changeTypes, { name: 'deploy' });
      const device = await create(h, devices, { name: 'db-01' });
      const target = { type: type.id, object_type: 'device', object_id: device.id };
      const old = await create(h, changes, {
        ...target,
        description: 'old',
        created_at: '2026-02-01T08:00:00Z',
      });
      const recent = await create(h, changes, { ...target, description: 'recent' });

      expect(old.created_at).toBe('2026-02-01T08:00:00.000Z');
      const list = await h.call('GET', changes);
      expect(idsOf(list.body)).toEqual([recent.id, old.id]);
    });

    it('replaces, patches and deletes a change', async () => {
      const deploy = await create(h, changeTypes, { name: 'deploy' });
      const config = await create(h, changeTypes, { name: 'config' });
      const device = await create(h, devices, { name: 'db-01' });
      const vm = await create(h, virtualMachines, { name: 'vm-1' });
      const change = await create(h, changes, {
        type: deploy.id,
        description: 'x',
        object_type: 'device',
        object_id: device.id,
      });

      const put = await h.call('PUT', `${changes}${change.id}/`, {
        body: {
          type: config.id,
          description: 'y',
          object_type: 'virtual_machine',
          object_id: vm.id,
        },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        type: brief(changeTypes, config.id, 'config'),
        object: brief(virtualMachines, vm.id, 'vm-1'),
      });
      const patch = await h.call('PATCH', `${changes}${change.id}/`, {
        body: { description: 'z' },
      });
      expect(patch.body).toMatchObject({ description: 'z', display: 'z' });

      expect((await h.call('DELETE', `${changes}${change.id}/`)).status).toBe(204);
      expect((await h.call('GET', `${changes}${change.id}/`)).status).toBe(404);
    });

    it('refuses a change with an unknown type or target and stores nothing', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const answer = await h.call('POST', changes, {
        body: { type: 5, description: 'x', object_type: 'cluster', object_id: device.id + 100 },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        type: ['Invalid pk "5" - object does not exist.'],
        object_id: [`No cluster with id ${device.id + 100}.`],
      });
      expect(await countOf(h, changes)).toBe(0);
    });

    it('refuses with 409 to delete a change type that changes use, keeping both', async () => {
      const type = await create(h, changeTypes, { name: 'deploy' });
      const device = await create(h, devices, { name: 'db-01' });
      const change = await create(h, changes, {
        type: type.id,
        description: 'x',
        object_type: 'device',
        object_id: device.id,
      });

      const refused = await h.call('DELETE', `${changeTypes}${type.id}/`);

      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({
        detail: `Unable to delete change type ${type.id}: other objects use it.`,
      });
      expect(await read(h, changeTypes, type.id)).toEqual(type);
      expect(await read(h, changes, change.id)).toEqual(change);

      expect((await h.call('DELETE', `${changes}${change.id}/`)).status).toBe(204);
      expect((await h.call('DELETE', `${changeTypes}${type.id}/`)).status).toBe(204);
    });
  });

  it('deletes the windows and changes of a deleted device, and only those', async () => {
    const type = await create(h, changeTypes, { name: 'deploy' });
    const doomed = await create(h, devices, { name: 'doomed' });
    const kept = await create(h, devices, { name: 'kept' });
    // A service with the same id as the device: only object_type tells their windows apart.
    const twin = await create(h, technicalServices, { name: 'twin' });
    expect(twin.id).toBe(doomed.id);
    for (const [objectType, id] of [
      ['device', doomed.id],
      ['device', kept.id],
      ['technical_service', twin.id],
    ] as const) {
      await create(h, maintenance, maintenanceBody(objectType, id));
      await create(h, changes, {
        type: type.id,
        description: `${objectType} ${id}`,
        object_type: objectType,
        object_id: id,
      });
    }

    expect((await h.call('DELETE', `${devices}${doomed.id}/`)).status).toBe(204);

    const windows = (await h.call('GET', maintenance)).body.results;
    const left = (await h.call('GET', changes)).body.results;
    for (const rows of [windows, left]) {
      expect(rows).toHaveLength(2);
      expect(rows.map((r: { object_type: string }) => r.object_type).sort()).toEqual([
        'device',
        'technical_service',
      ]);
      expect(rows.find((r: { object_type: string }) => r.object_type === 'device').object_id).toBe(
        kept.id,
      );
    }
  });
});

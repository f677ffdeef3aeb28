import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, countOf, create, eventBody, maintenanceBody, read } from './api-fixtures.js';

const BLANK = ['This field may not be blank.'];
const NULL_CHARACTERS = ['Null characters are not allowed.'];
const TOO_LARGE = ['Ensure this value is less than or equal to 2147483647.'];
const TOO_DEEP = ['Ensure this value is nested no more than 32 levels deep.'];

/** A JSON text of `levels` objects nested in each other. */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

describe.each(engines())('input the databases cannot store or NetBox refuses on %s', (engine) => {
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

  /** Posts `body` and expects a 400 that changed nothing; returns the answer's body. */
  const refused = async (path: string, body: unknown, payload?: string) => {
    const before = await countOf(h, path);
    const answer = await h.call('POST', path, payload === undefined ? { body } : { payload });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(await countOf(h, path)).toBe(before);
    return answer.body;
  };

  describe('blank text', () => {
    it('refuses a blank or white-space name on every named resource', async () => {
      const named = [
        PATHS.technicalServices,
        PATHS.devices,
        PATHS.virtualMachines,
        PATHS.clusters,
        PATHS.eventSources,
        PATHS.changeTypes,
      ];
      for (const path of named) {
        for (const name of ['', '   ', '\t\n']) {
          expect(await refused(path, { name }), `${path} ${JSON.stringify(name)}`).toEqual({
            name: BLANK,
          });
        }
      }
    });

    it('refuses blank key fields of applications, incidents, events, maintenance', async () => {
      const device = await create(h, PATHS.devices, { name: 'db-01' });

      expect(
        await refused(PATHS.businessApplications, { appcode: ' ', name: '', owner: '  ' }),
      ).toEqual({ appcode: BLANK, name: BLANK, owner: BLANK });
      expect(await refused(PATHS.incidents, { title: '  ', severity: 'high' })).toEqual({
        title: BLANK,
      });
      expect(await refused(PATHS.events, eventBody({ message: '', dedup_id: ' ' }))).toEqual({
        message: BLANK,
        dedup_id: BLANK,
      });
      const window = maintenanceBody('device', device.id, { description: ' ', contact: '' });
      expect(await refused(PATHS.maintenance, window)).toEqual({
        description: BLANK,
        contact: BLANK,
      });
      const dependency = { name: '', upstream_service: 1, downstream_service: 2 };
      expect((await refused(PATHS.serviceDependencies, dependency)).name).toEqual(BLANK);
    });

    it('refuses a blank required field on PATCH and PUT, changing nothing', async () => {
      const service = await create(h, PATHS.technicalServices, { name: 'db' });

      for (const method of ['PATCH', 'PUT']) {
        const answer = await h.call(method, `${PATHS.technicalServices}${service.id}/`, {
          body: { name: ' ' },
        });
        expect(answer.status, method).toBe(400);
        expect(answer.body).toEqual({ name: BLANK });
      }
      expect(await read(h, PATHS.technicalServices, service.id)).toEqual(service);
    });

    it('lets optional text stay blank, as NetBox does', async () => {
      const app = await create(h, PATHS.businessApplications, {
        appcode: 'SHOP',
        name: 'Shop',
        owner: 'o',
        description: '',
        delegate: '',
      });
      const incident = await create(h, PATHS.incidents, {
        title: 'Slow',
        severity: 'low',
        description: ' ',
        reporter: '',
      });
      const device = await create(h, PATHS.devices, { name: 'd', role: '', site: '' });

      expect(app).toMatchObject({ description: '', delegate: '' });
      expect(incident).toMatchObject({ description: ' ', reporter: '' });
      expect(device).toMatchObject({ role: '', site: '' });
    });
  });

  describe('integers beyond what the columns hold', () => {
    it('refuses a page offset or limit beyond 2147483647', async () => {
      for (const query of ['offset=99999999999999999999', 'limit=2147483648']) {
        const answer = await h.call('GET', `${PATHS.devices}?${query}`);
        expect(answer.status, query).toBe(400);
        expect(answer.body).toEqual({ [query.split('=')[0]!]: TOO_LARGE });
      }
      const last = await h.call('GET', `${PATHS.devices}?offset=2147483647`);
      expect(last.status).toBe(200);
      expect(last.body.results).toEqual([]);
    });

    it('refuses filters beyond 2147483647, naming each', async () => {
      const answer = await h.call(
        'GET',
        `${PATHS.devices}?id=1&id=99999999999999999999&cluster_id=2147483648` +
          '&netbox_id__gte=3000000000',
      );

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        id: TOO_LARGE,
        cluster_id: TOO_LARGE,
        netbox_id__gte: TOO_LARGE,
      });
      const events = await h.call('GET', `${PATHS.events}?object_id=2147483648`);
      expect(events).toMatchObject({ status: 400, body: { object_id: TOO_LARGE } });
    });

    it('refuses ids beyond 2147483647 in bodies, naming each field', async () => {
      const body = await refused(PATHS.virtualMachines, {
        name: 'vm',
        netbox_id: 1e20,
        cluster: 2147483648,
      });
      expect(body).toEqual({ netbox_id: TOO_LARGE, cluster: TOO_LARGE });

      const service = { name: 's', devices: [1, 2147483648] };
      expect(await refused(PATHS.technicalServices, service)).toEqual({ devices: TOO_LARGE });
      const window = maintenanceBody('device', 2147483648);
      expect(await refused(PATHS.maintenance, window)).toEqual({ object_id: TOO_LARGE });
    });

    it('answers 404 to an id in the path beyond 2147483647', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const answer = await h.call(method, `${PATHS.devices}99999999999999999999/`, {
          ...(method === 'PATCH' ? { body: { role: 'x' } } : {}),
        });
        expect(answer, method).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
      }
    });
  });

  describe('JSON nested too deep', () => {
    it('refuses custom_fields nested 5000 deep, naming the field', async () => {
      const payload = `{"name": "db", "custom_fields": ${nested(5000)}}`;

      expect(await refused(PATHS.technicalServices, null, payload)).toEqual({
        custom_fields: TOO_DEEP,
      });
    });

    it('takes 32 levels and refuses 33, in custom fields and in raw alert payloads', async () => {
      const ok = `{"name": "db", "custom_fields": ${nested(32)}}`;
      const answer = await h.call('POST', PATHS.technicalServices, { payload: ok });
      expect(answer.status).toBe(201);

      const tooDeep = `{"name": "api", "custom_fields": ${nested(33)}}`;
      expect(await refused(PATHS.technicalServices, null, tooDeep)).toEqual({
        custom_fields: TOO_DEEP,
      });
      const event = { ...eventBody(), raw: JSON.parse(nested(40)) };
      expect(await refused(PATHS.events, event)).toEqual({ raw: TOO_DEEP });
    });

    it('names the item of a bulk create nested too deep', async () => {
      const payload = `[{"name": "db"}, {"name": "api", "custom_fields": ${nested(100)}}]`;

      expect(await refused(PATHS.technicalServices, null, payload)).toEqual([
        {},
        { custom_fields: TOO_DEEP },
      ]);
    });
  });

  describe('null characters', () => {
    it('refuses a null character in any text, key or value, storing nothing', async () => {
      const body = await refused(PATHS.businessApplications, {
        appcode: 'SH\u0000OP',
        name: 'Shop',
        owner: 'o',
        description: 'a\u0000',
        tags: ['ok', 'b\u0000d'],
        custom_fields: { 'k\u0000': 1, nested: { v: ['\u0000'] } },
      });

      expect(body).toEqual({
        appcode: NULL_CHARACTERS,
        description: NULL_CHARACTERS,
        tags: NULL_CHARACTERS,
        custom_fields: NULL_CHARACTERS,
      });
    });

    it('refuses a null character in an event raw payload and on update', async () => {
      const service = await create(h, PATHS.technicalServices, { name: 'db' });

      const event = eventBody({ raw: { labels: { host: 'db\u0000' } } });
      expect(await refused(PATHS.events, event)).toEqual({ raw: NULL_CHARACTERS });
      const patch = await h.call('PATCH', `${PATHS.technicalServices}${service.id}/`, {
        body: { name: 'd\u0000b' },
      });
      expect(patch).toMatchObject({ status: 400, body: { name: NULL_CHARACTERS } });
      expect(await read(h, PATHS.technicalServices, service.id)).toEqual(service);
    });

    it('refuses a null character in a query parameter', async () => {
      const answer = await h.call('GET', `${PATHS.devices}?name=db%00&q=%00`);

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ name: NULL_CHARACTERS, q: NULL_CHARACTERS });
    });
  });

  describe('a list where one object goes', () => {
    it('answers PATCH and PUT with a list body with DRF message, changing nothing', async () => {
      const service = await create(h, PATHS.technicalServices, { name: 'db' });

      for (const method of ['PATCH', 'PUT']) {
        for (const body of [[{}], [{ name: 'x' }], []]) {
          const answer = await h.call(method, `${PATHS.technicalServices}${service.id}/`, {
            body,
          });
          expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
          expect(answer.body).toEqual({
            non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
          });
        }
      }
      expect(await read(h, PATHS.technicalServices, service.id)).toEqual(service);
    });

    it('answers the same to a list body where an operation takes one object', async () => {
      const incident = await create(h, PATHS.incidents, { title: 'x', severity: 'low' });

      const answer = await h.call('POST', `${PATHS.incidents}${incident.id}/split/`, {
        body: [{ event_ids: [1] }],
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
      });
    });
  });

  describe('an empty JSON body', () => {
    const json = { headers: { 'content-type': 'application/json' }, payload: '' };

    it('counts as no body: DELETE deletes and GET reads', async () => {
      const service = await create(h, PATHS.technicalServices, { name: 'db' });
      const url = `${PATHS.technicalServices}${service.id}/`;

      const get = await h.call('GET', url, json);
      const list = await h.call('GET', PATHS.technicalServices, json);
      const del = await h.call('DELETE', url, json);

      expect(get).toMatchObject({ status: 200, body: service });
      expect(list.status).toBe(200);
      expect(del.status).toBe(204);
      expect(await countOf(h, PATHS.technicalServices)).toBe(0);
    });

    it('gets the answer to a missing body where a body is needed', async () => {
      const service = await create(h, PATHS.technicalServices, { name: 'db' });
      const url = `${PATHS.technicalServices}${service.id}/`;

      for (const [method, path] of [
        ['POST', PATHS.technicalServices],
        ['PUT', url],
        ['PATCH', url],
      ] as const) {
        const empty = await h.call(method, path, json);
        const none = await h.call(method, path);
        expect(empty.status, method).toBe(400);
        expect(empty.body).toEqual(none.body);
        expect(empty.body).toEqual({
          non_field_errors: ['Invalid data. Expected a dictionary, but got null.'],
        });
      }
      expect(await read(h, PATHS.technicalServices, service.id)).toEqual(service);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { BASE, PLUGIN, startHarness, type Harness } from '../support/harness.js';
import { TOKEN_CACHE_MS } from '../../src/api/token-store.js';
import { PATHS, START, countOf, create, read } from './api-fixtures.js';

const { devices, businessApplications, technicalServices, eventSources } = PATHS;

const DATETIME_FORMAT =
  'Datetime has wrong format. Use one of these formats instead: ' +
  'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

describe.each(engines())('authentication and error answers on %s', (engine) => {
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

  describe('authentication', () => {
    it('answers 401 to a request without a token', async () => {
      const answer = await h.call('GET', devices, { token: null });

      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    });

    it('answers 401, not 403, to a write without a valid token and stores nothing', async () => {
      const anonymous = await h.call('POST', devices, { token: null, body: { name: 'db-01' } });
      const unknown = await h.call('POST', devices, { token: 'nope', body: { name: 'db-01' } });

      expect(anonymous.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(await countOf(h, devices)).toBe(0);
    });

    it('answers 401 to an unknown token and to a malformed header', async () => {
      const unknown = await h.call('GET', devices, { token: '0'.repeat(40) });
      const malformed = await h.call('GET', devices, {
        token: null,
        headers: { authorization: `Basic ${h.readToken}` },
      });

      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual({ detail: 'Invalid token' });
      expect(malformed.status).toBe(401);
    });

    it('asks the database again after a few seconds: a token another process revoked stops', async () => {
      const token = await h.faultline.tokens.create({ name: 'cli', writeEnabled: false });
      expect((await h.call('GET', devices, { token: token.key })).status).toBe(200);
      // As `faultline tokens revoke` in another process does: the row goes, this one's memory not.
      await h.faultline.database.db
        .deleteFrom('api_tokens')
        .where('id', '=', token.token.id)
        .execute();

      const soon = await h.call('GET', devices, { token: token.key });
      h.clock.advance(TOKEN_CACHE_MS + 1);
      const later = await h.call('GET', devices, { token: token.key });

      expect(soon.status).toBe(200);
      expect(later.status).toBe(401);
    });

    it('refuses a token revoked through this server at once', async () => {
      const token = await h.faultline.tokens.create({ name: 'gone', writeEnabled: false });
      expect((await h.call('GET', devices, { token: token.key })).status).toBe(200);

      await h.faultline.tokens.revoke('gone');

      expect((await h.call('GET', devices, { token: token.key })).status).toBe(401);
    });

    it('answers 401 to an expired token and accepts one that has not expired yet', async () => {
      const expired = await h.faultline.tokens.create({
        name: 'old',
        writeEnabled: true,
        expires: '2026-03-01T11:59:59.000Z',
      });
      const valid = await h.faultline.tokens.create({
        name: 'new',
        writeEnabled: true,
        expires: '2026-03-01T12:00:01.000Z',
      });

      const refused = await h.call('GET', devices, { token: expired.key });
      const accepted = await h.call('GET', devices, { token: valid.key });

      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ detail: 'Token expired' });
      expect(accepted.status).toBe(200);
      h.clock.set('2026-03-01T12:00:02.000Z');
      expect((await h.call('GET', devices, { token: valid.key })).status).toBe(401);
    });

    it('accepts the Bearer keyword as well as Token', async () => {
      const answer = await h.call('GET', devices, {
        token: null,
        headers: { authorization: `Bearer ${h.readToken}` },
      });

      expect(answer.status).toBe(200);
      expect(answer.body.count).toBe(0);
    });

    it('lets a read-only token read every resource', async () => {
      for (const path of Object.values(PATHS)) {
        const answer = await h.call('GET', path, { token: h.readToken });
        expect(answer.status, path).toBe(200);
      }
    });

    it('answers 403 to every write with a read-only token and changes nothing', async () => {
      const device = await create(h, devices, { name: 'db-01' });
      const token = h.readToken;

      const post = await h.call('POST', devices, { token, body: { name: 'db-02' } });
      const put = await h.call('PUT', `${devices}${device.id}/`, { token, body: { name: 'x' } });
      const patch = await h.call('PATCH', `${devices}${device.id}/`, {
        token,
        body: { status: 'failed' },
      });
      const del = await h.call('DELETE', `${devices}${device.id}/`, { token });

      for (const answer of [post, put, patch, del]) {
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual({ detail: 'This token does not have write permission.' });
      }
      expect(await countOf(h, devices)).toBe(1);
      expect(await read(h, devices, device.id)).toEqual(device);
    });

    it('is alive but not ready while the topology loads, and ready once it has', async () => {
      // Work already queued holds the load back, so that /readyz is asked in the middle of it.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = h.faultline.pipeline.run(() => gate);
      const loaded = h.faultline.loadIndexes();

      const during = await h.call('GET', '/readyz', { token: null });
      const alive = await h.call('GET', '/healthz', { token: null });
      release();
      await held;
      await loaded;
      const after = await h.call('GET', '/readyz', { token: null });

      expect(during).toMatchObject({
        status: 503,
        body: { status: 'starting', detail: 'Loading the topology and open incidents.' },
      });
      expect(alive).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(after).toMatchObject({ status: 200, body: { status: 'ready', database: engine } });
    });

    it('serves health probes and the OpenAPI document without a token', async () => {
      const healthz = await h.call('GET', '/healthz', { token: null });
      const readyz = await h.call('GET', '/readyz', { token: null });
      const schema = await h.call('GET', '/api/schema/', { token: null });

      expect(healthz).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(readyz).toMatchObject({ status: 200, body: { status: 'ready', database: engine } });
      expect(schema.status).toBe(200);
      expect(schema.body.openapi).toMatch(/^3\./);
      expect(Object.keys(schema.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/dcim/devices/',
          '/api/dcim/devices/{id}/',
          '/api/virtualization/virtual-machines/',
          '/api/virtualization/clusters/',
          `${PLUGIN}/technical-services/`,
          `${PLUGIN}/incidents/{id}/`,
        ]),
      );
    });

    it('serves the interactive API docs without a token', async () => {
      const docs = await h.call('GET', '/api/docs/', { token: null });

      expect(docs.status).toBe(200);
      expect(docs.headers['content-type']).toMatch(/text\/html/);
    });
  });

  describe('API roots', () => {
    it('lists the NetBox apps at /api/ and answers 401 there without a token', async () => {
      const root = await h.call('GET', '/api/');

      expect(root.status).toBe(200);
      expect(root.body).toMatchObject({
        dcim: `${BASE}/api/dcim/`,
        plugins: `${BASE}/api/plugins/`,
        virtualization: `${BASE}/api/virtualization/`,
      });
      expect((await h.call('GET', '/api/', { token: null })).status).toBe(401);
    });

    it('lists the endpoints of each app', async () => {
      const dcim = await h.call('GET', '/api/dcim/');
      const virtualization = await h.call('GET', '/api/virtualization/');
      const plugins = await h.call('GET', '/api/plugins/');
      const plugin = await h.call('GET', `${PLUGIN}/`);

      expect(dcim.body).toEqual({ devices: `${BASE}/api/dcim/devices/` });
      expect(virtualization.body).toEqual({
        clusters: `${BASE}/api/virtualization/clusters/`,
        'virtual-machines': `${BASE}/api/virtualization/virtual-machines/`,
      });
      expect(plugins.body).toEqual({ 'business-application': `${BASE}${PLUGIN}/` });
      expect(Object.keys(plugin.body).sort()).toEqual([
        'business-applications',
        'change-types',
        'changes',
        'clusters/downstream-applications',
        'devices/downstream-applications',
        'event-sources',
        'events',
        'incidents',
        'maintenance',
        'notification-deliveries',
        'service-dependencies',
        'technical-services',
      ]);
      expect(plugin.body.incidents).toBe(`${BASE}${PLUGIN}/incidents/`);
      expect(plugin.body['notification-deliveries']).toBe(
        `${BASE}${PLUGIN}/notification-deliveries/`,
      );
      expect(plugin.body['devices/downstream-applications']).toBe(
        `${BASE}${PLUGIN}/devices/downstream-applications/`,
      );
    });
  });

  describe('request errors', () => {
    it('answers 404 in NetBox shape to an unknown path and a non-numeric id', async () => {
      const unknown = await h.call('GET', '/api/dcim/racks/');
      const badId = await h.call('GET', `${devices}abc/`);

      expect(unknown).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
      expect(badId).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    });

    it('answers 400 to malformed JSON and to an empty body where one is needed', async () => {
      const malformed = await h.call('POST', devices, { payload: '{"name": "db-01",' });
      const empty = await h.call('POST', devices, { payload: '' });
      const none = await h.call('POST', devices);

      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toMatch(/^JSON parse error/);
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got null.'],
      });
      expect(none.body).toEqual(empty.body);
      expect(await countOf(h, devices)).toBe(0);
    });

    it('answers 415 to a body that is not JSON', async () => {
      const text = await h.call('POST', devices, {
        payload: 'name=db-01',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const plain = await h.call('POST', devices, {
        payload: 'db-01',
        headers: { 'content-type': 'text/plain' },
      });

      expect(text.status).toBe(415);
      expect(plain.status).toBe(415);
      expect(plain.body).toHaveProperty('detail');
      expect(await countOf(h, devices)).toBe(0);
    });

    it('answers 413 to a body over 1 MiB and stores nothing', async () => {
      const answer = await h.call('POST', eventSources, {
        body: { name: 'big', description: 'x'.repeat(1024 * 1024) },
      });

      expect(answer.status).toBe(413);
      expect(answer.body).toEqual({ detail: 'Request body is larger than 1 MiB.' });
      expect(await countOf(h, eventSources)).toBe(0);
    });

    it('answers 400 to a body that is not an object or a list of objects', async () => {
      const number = await h.call('POST', devices, { body: 5 });
      const empty = await h.call('POST', devices, { body: [] });

      expect(number.status).toBe(400);
      expect(number.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got int.'],
      });
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ non_field_errors: ['This list may not be empty.'] });
    });
  });

  describe('validation errors', () => {
    const create400 = async (path: string, body: unknown) => {
      const before = await countOf(h, path);
      const answer = await h.call('POST', path, { body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(await countOf(h, path)).toBe(before);
      return answer.body;
    };

    it('names every bad field at once, in NetBox shape', async () => {
      const body = await create400(businessApplications, {
        appcode: 'A'.repeat(21),
        name: 42,
        owner: null,
        servicenow: 'ftp://example.com',
        devices: 'all',
        custom_fields: [],
      });

      expect(body).toEqual({
        appcode: ['Ensure this field has no more than 20 characters.'],
        name: ['Not a valid string.'],
        owner: ['This field may not be null.'],
        servicenow: ['Enter a valid URL.'],
        devices: ['Expected a list of items but got type "str".'],
        custom_fields: ['Expected a dictionary of items but got type "list".'],
      });
    });

    it('refuses an unknown choice', async () => {
      expect(await create400(technicalServices, { name: 's', service_type: 'x' })).toEqual({
        service_type: ['"x" is not a valid choice.'],
      });
    });

    it('refuses a value that is too long', async () => {
      expect(await create400(devices, { name: 'd'.repeat(65) })).toEqual({
        name: ['Ensure this field has no more than 64 characters.'],
      });
    });

    it('refuses a missing required field', async () => {
      expect(await create400(businessApplications, { appcode: 'A' })).toEqual({
        name: ['This field is required.'],
        owner: ['This field is required.'],
      });
    });

    it('refuses a value of the wrong type', async () => {
      expect(
        await create400(devices, { name: 'd', netbox_id: '12', tags: [1], cluster: 'c1' }),
      ).toEqual({
        netbox_id: ['A valid integer is required.'],
        tags: ['Not a valid string.'],
        cluster: ['A valid integer is required.'],
      });
    });

    it('refuses null for a field that is not nullable', async () => {
      expect(await create400(devices, { name: 'd', status: null, tags: null })).toEqual({
        status: ['This field may not be null.'],
        tags: ['This field may not be null.'],
      });
    });

    it('refuses an id of a related object that does not exist', async () => {
      expect(await create400(technicalServices, { name: 's', clusters: [31, 32] })).toEqual({
        clusters: [
          'Invalid pk "31" - object does not exist.',
          'Invalid pk "32" - object does not exist.',
        ],
      });
    });

    it('refuses a URL that is not http or https', async () => {
      for (const servicenow of ['servicenow', 'javascript:alert(1)', 'ftp://sn.example.com']) {
        const body = { appcode: 'A', name: 'n', owner: 'o', servicenow };
        expect(await create400(businessApplications, body)).toEqual({
          servicenow: ['Enter a valid URL.'],
        });
      }
    });

    it('refuses datetimes that are malformed or name no real moment', async () => {
      const device = await create(h, devices, { name: 'd' });
      for (const planned_start of [
        'next tuesday',
        '2026-13-01T10:00:00Z',
        '2026-02-30T10:00:00Z',
        '2026-03-01T24:00:00Z',
      ]) {
        const body = await create400(PATHS.maintenance, {
          status: 'planned',
          description: 'x',
          planned_start,
          planned_end: '2026-04-01T00:00:00Z',
          contact: 'c',
          object_type: 'device',
          object_id: device.id,
        });
        expect(body, planned_start).toEqual({ planned_start: [DATETIME_FORMAT] });
      }
    });

    it('refuses a unique value that is taken, on create and on update', async () => {
      await create(h, technicalServices, { name: 'db' });
      const api = await create(h, technicalServices, { name: 'api' });

      expect(await create400(technicalServices, { name: 'db' })).toEqual({
        name: ['technical service with this name already exists.'],
      });
      for (const method of ['PUT', 'PATCH']) {
        const answer = await h.call(method, `${technicalServices}${api.id}/`, {
          body: { name: 'db' },
        });
        expect(answer.status, method).toBe(400);
        expect(answer.body).toEqual({ name: ['technical service with this name already exists.'] });
      }
      expect(await read(h, technicalServices, api.id)).toEqual(api);
    });

    it('lets an object keep its own unique value on update', async () => {
      const db = await create(h, technicalServices, { name: 'db' });

      const answer = await h.call('PUT', `${technicalServices}${db.id}/`, {
        body: { name: 'db', service_type: 'logical' },
      });

      expect(answer.status).toBe(200);
      expect(answer.body.service_type).toBe('logical');
    });

    it('leaves an object unchanged when a PATCH or PUT is refused', async () => {
      const cluster = await create(h, PATHS.clusters, { name: 'c1' });
      const device = await create(h, devices, { name: 'db-01', cluster: cluster.id, role: 'db' });
      h.clock.set('2026-03-01T13:00:00.000Z');

      const refusals = [
        ['PATCH', { role: 'web', status: 's'.repeat(51) }],
        ['PATCH', { role: 'web', cluster: 999 }],
        ['PUT', { role: 'web' }],
        ['PUT', { name: 'db-01', role: 'web', tags: 'core' }],
      ] as const;
      for (const [method, body] of refusals) {
        const answer = await h.call(method, `${devices}${device.id}/`, { body });
        expect(answer.status, JSON.stringify(body)).toBe(400);
      }

      expect(await read(h, devices, device.id)).toEqual(device);
    });
  });

  describe('bulk create', () => {
    it('creates every item of a list and answers them in order', async () => {
      const answer = await h.call('POST', devices, {
        body: [{ name: 'b-02' }, { name: 'a-01', status: 'planned' }],
      });

      expect(answer.status).toBe(201);
      expect(answer.body.map((d: { name: string }) => d.name)).toEqual(['b-02', 'a-01']);
      expect(answer.body[1].status).toBe('planned');
      expect(await countOf(h, devices)).toBe(2);
    });

    it('stores nothing when one item breaks the schema, with errors for each item', async () => {
      const answer = await h.call('POST', devices, {
        body: [{ name: 'ok-1' }, { name: 'x'.repeat(65) }, { name: 'ok-2' }, { status: 'planned' }],
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual([
        {},
        { name: ['Ensure this field has no more than 64 characters.'] },
        {},
        { name: ['This field is required.'] },
      ]);
      expect(await countOf(h, devices)).toBe(0);
    });

    it('stores nothing when a later item refers to an object that does not exist', async () => {
      const answer = await h.call('POST', devices, {
        body: [{ name: 'ok-1' }, { name: 'ok-2', cluster: 404 }],
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual([{}, { cluster: ['Invalid pk "404" - object does not exist.'] }]);
      expect(await countOf(h, devices)).toBe(0);
    });

    it('stores nothing when two items of the list clash with each other', async () => {
      const answer = await h.call('POST', technicalServices, {
        body: [{ name: 'db' }, { name: 'api' }, { name: 'db' }],
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual([
        {},
        {},
        { name: ['technical service with this name already exists.'] },
      ]);
      expect(await countOf(h, technicalServices)).toBe(0);
    });

    it('stores nothing when an item clashes with a stored object', async () => {
      await create(h, businessApplications, { appcode: 'SHOP', name: 'Shop', owner: 'o' });

      const answer = await h.call('POST', businessApplications, {
        body: [
          { appcode: 'PAY', name: 'Pay', owner: 'o' },
          { appcode: 'SHOP', name: 'Shop again', owner: 'o' },
        ],
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual([
        {},
        { appcode: ['business application with this appcode already exists.'] },
      ]);
      expect(await countOf(h, businessApplications)).toBe(1);
    });
  });
});

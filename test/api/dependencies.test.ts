import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, brief, countOf, create, read, urlOf } from './api-fixtures.js';

const { technicalServices, serviceDependencies } = PATHS;

describe.each(engines())('service dependency API on %s', (engine) => {
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

  /** Creates services by name and returns their ids by name. */
  async function services(...names: string[]): Promise<Record<string, number>> {
    const ids: Record<string, number> = {};
    for (const name of names) ids[name] = (await create(h, technicalServices, { name })).id;
    return ids;
  }

  /** "downstream depends on upstream", created through the API. */
  async function depend(downstream: number, upstream: number, name = 'dep'): Promise<any> {
    return create(h, serviceDependencies, {
      name,
      upstream_service: upstream,
      downstream_service: downstream,
    });
  }

  it('creates a dependency with both services shown as brief objects', async () => {
    const s = await services('db', 'api');

    const answer = await h.call('POST', serviceDependencies, {
      body: {
        name: 'api-needs-db',
        description: 'orders',
        upstream_service: s.db,
        downstream_service: s.api,
      },
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: answer.body.id,
      url: urlOf(serviceDependencies, answer.body.id),
      display: 'api-needs-db',
      name: 'api-needs-db',
      description: 'orders',
      upstream_service: brief(technicalServices, s.db!, 'db'),
      downstream_service: brief(technicalServices, s.api!, 'api'),
      dependency_type: 'normal',
      tags: [],
      custom_fields: {},
      created: START,
      last_updated: START,
    });
  });

  it('lists, reads, replaces, patches and deletes a dependency', async () => {
    const s = await services('db', 'api', 'web', 'db-replica');
    const dep = await depend(s.api!, s.db!, 'b-dep');
    await depend(s.web!, s.api!, 'a-dep');

    const list = await h.call('GET', serviceDependencies);
    expect(list.body.count).toBe(2);
    expect(list.body.results.map((d: { name: string }) => d.name)).toEqual(['a-dep', 'b-dep']);
    expect(await read(h, serviceDependencies, dep.id)).toEqual(dep);

    const put = await h.call('PUT', `${serviceDependencies}${dep.id}/`, {
      body: {
        name: 'db-group',
        upstream_service: s['db-replica'],
        downstream_service: s.api,
        dependency_type: 'redundancy',
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: 'db-group',
      upstream_service: { id: s['db-replica'], name: 'db-replica' },
      dependency_type: 'redundancy',
    });

    const patch = await h.call('PATCH', `${serviceDependencies}${dep.id}/`, {
      body: { description: 'replica pair' },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ name: 'db-group', description: 'replica pair' });

    expect((await h.call('DELETE', `${serviceDependencies}${dep.id}/`)).status).toBe(204);
    expect((await h.call('GET', `${serviceDependencies}${dep.id}/`)).status).toBe(404);
    expect(await countOf(h, serviceDependencies)).toBe(1);
  });

  it('refuses a second dependency between the same two services', async () => {
    const s = await services('db', 'api');
    await depend(s.api!, s.db!, 'first');

    const answer = await h.call('POST', serviceDependencies, {
      body: { name: 'second', upstream_service: s.db, downstream_service: s.api },
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      non_field_errors: ['The fields upstream_service, downstream_service must make a unique set.'],
    });
    expect(await countOf(h, serviceDependencies)).toBe(1);
  });

  it('refuses missing services, unknown service ids and an unknown dependency_type', async () => {
    const s = await services('db');

    const missing = await h.call('POST', serviceDependencies, { body: { name: 'x' } });
    const unknown = await h.call('POST', serviceDependencies, {
      body: { name: 'x', upstream_service: s.db, downstream_service: 999 },
    });
    const badType = await h.call('POST', serviceDependencies, {
      body: {
        name: 'x',
        upstream_service: s.db,
        downstream_service: 999,
        dependency_type: 'optional',
      },
    });

    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      upstream_service: ['This field is required.'],
      downstream_service: ['This field is required.'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      downstream_service: ['Invalid pk "999" - object does not exist.'],
    });
    expect(badType.status).toBe(400);
    expect(badType.body).toEqual({
      dependency_type: ['"optional" is not a valid choice.'],
      downstream_service: ['Invalid pk "999" - object does not exist.'],
    });
    expect(await countOf(h, serviceDependencies)).toBe(0);
  });

  it('deletes the dependencies of a deleted service', async () => {
    const s = await services('db', 'api', 'web');
    await depend(s.api!, s.db!);
    const kept = await depend(s.web!, s.db!);
    await create(h, serviceDependencies, {
      name: 'web-api',
      upstream_service: s.api,
      downstream_service: s.web,
    });

    expect((await h.call('DELETE', `${technicalServices}${s.api}/`)).status).toBe(204);

    const list = await h.call('GET', serviceDependencies);
    expect(list.body.results.map((d: { id: number }) => d.id)).toEqual([kept.id]);
  });

  describe('cycle refusal', () => {
    it('refuses a service that depends on itself', async () => {
      const s = await services('db');

      const answer = await h.call('POST', serviceDependencies, {
        body: { name: 'self', upstream_service: s.db, downstream_service: s.db },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ downstream_service: ['would create a cycle: db → db'] });
      expect(await countOf(h, serviceDependencies)).toBe(0);
    });

    it('refuses the reverse of an existing dependency, naming the cycle', async () => {
      const s = await services('db', 'api');
      await depend(s.api!, s.db!);

      const answer = await h.call('POST', serviceDependencies, {
        body: { name: 'back', upstream_service: s.api, downstream_service: s.db },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        downstream_service: ['would create a cycle: db → api → db'],
      });
      expect(await countOf(h, serviceDependencies)).toBe(1);
    });

    it('refuses a dependency that closes a longer cycle, naming every service on it', async () => {
      const s = await services('storage', 'db', 'api', 'web');
      await depend(s.db!, s.storage!);
      await depend(s.api!, s.db!);
      await depend(s.web!, s.api!);

      const answer = await h.call('POST', serviceDependencies, {
        body: { name: 'loop', upstream_service: s.web, downstream_service: s.storage },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        downstream_service: ['would create a cycle: storage → web → api → db → storage'],
      });
      expect(await countOf(h, serviceDependencies)).toBe(3);
    });

    it('accepts a diamond, which shares services but has no cycle', async () => {
      const s = await services('db', 'api-a', 'api-b', 'web');
      await depend(s['api-a']!, s.db!);
      await depend(s['api-b']!, s.db!);
      await depend(s.web!, s['api-a']!);

      const answer = await h.call('POST', serviceDependencies, {
        body: { name: 'web-b', upstream_service: s['api-b'], downstream_service: s.web },
      });

      expect(answer.status).toBe(201);
      expect(await countOf(h, serviceDependencies)).toBe(4);
    });

    it('refuses a PATCH that would turn an existing dependency into a cycle', async () => {
      const s = await services('db', 'api', 'web', 'cache');
      await depend(s.api!, s.db!);
      await depend(s.web!, s.api!);
      const webOnCache = await depend(s.web!, s.cache!);

      const patch = await h.call('PATCH', `${serviceDependencies}${webOnCache.id}/`, {
        body: { upstream_service: s.web, downstream_service: s.db },
      });

      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({
        downstream_service: ['would create a cycle: db → web → api → db'],
      });
      expect(await read(h, serviceDependencies, webOnCache.id)).toEqual(webOnCache);
    });

    it('refuses a PUT that would make a dependency point a service at itself', async () => {
      const s = await services('db', 'api');
      const dep = await depend(s.api!, s.db!);

      const put = await h.call('PUT', `${serviceDependencies}${dep.id}/`, {
        body: { name: 'dep', upstream_service: s.api, downstream_service: s.api },
      });

      expect(put.status).toBe(400);
      expect(put.body).toEqual({ downstream_service: ['would create a cycle: api → api'] });
      expect(await read(h, serviceDependencies, dep.id)).toEqual(dep);
    });

    it('lets a dependency be turned around, since its old direction no longer counts', async () => {
      const s = await services('db', 'api');
      const dep = await depend(s.api!, s.db!);

      const patch = await h.call('PATCH', `${serviceDependencies}${dep.id}/`, {
        body: { upstream_service: s.api, downstream_service: s.db },
      });

      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({
        upstream_service: { id: s.api, name: 'api' },
        downstream_service: { id: s.db, name: 'db' },
      });
    });

    it('refuses a whole bulk create whose items together close a cycle', async () => {
      const s = await services('db', 'api');

      const answer = await h.call('POST', serviceDependencies, {
        body: [
          { name: 'forth', upstream_service: s.db, downstream_service: s.api },
          { name: 'back', upstream_service: s.api, downstream_service: s.db },
        ],
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual([
        {},
        { downstream_service: ['would create a cycle: db → api → db'] },
      ]);
      expect(await countOf(h, serviceDependencies)).toBe(0);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { BASE, startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, brief, create, eventBody, idsOf, urlOf } from './api-fixtures.js';

const { devices, businessApplications, technicalServices, eventSources, events } = PATHS;

/** These suites test listing, so incident automation stays off. */
const MANUAL = { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' };

/** `count` event sources named src-0001, src-0002, … created in one bulk request. */
async function eventSourcesNamed(h: Harness, count: number): Promise<void> {
  const body = Array.from({ length: count }, (_, i) => ({
    name: `src-${String(i + 1).padStart(4, '0')}`,
  }));
  const answer = await h.call('POST', eventSources, { body });
  expect(answer.status).toBe(201);
}

describe.each(engines())('pagination and filters on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, MANUAL);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
  });
  afterAll(async () => {
    await h.close();
  });

  /** The names of a list's results, for a query. */
  async function names(path: string, query: string): Promise<string[]> {
    const answer = await h.call('GET', `${path}?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.results.map((r: { name: string }) => r.name);
  }

  describe('pagination', () => {
    it('pages 50 at a time by default with full-URL next and previous links', async () => {
      await eventSourcesNamed(h, 60);

      const first = await h.call('GET', eventSources);
      expect(first.body.count).toBe(60);
      expect(first.body.results).toHaveLength(50);
      expect(first.body.previous).toBeNull();
      expect(first.body.next).toBe(`${BASE}${eventSources}?limit=50&offset=50`);

      const second = await h.call('GET', first.body.next.slice(BASE.length));
      expect(second.body.count).toBe(60);
      expect(second.body.results.map((r: { name: string }) => r.name)).toEqual(
        Array.from({ length: 10 }, (_, i) => `src-00${51 + i}`),
      );
      expect(second.body.next).toBeNull();
      expect(second.body.previous).toBe(`${BASE}${eventSources}?limit=50`);
    });

    it('keeps the other query parameters in next and previous', async () => {
      await eventSourcesNamed(h, 12);
      const query = 'name__ic=SRC&ordering=-name&limit=3&offset=3';

      const page = await h.call('GET', `${eventSources}?${query}`);

      expect(page.body.results.map((r: { name: string }) => r.name)).toEqual([
        'src-0009',
        'src-0008',
        'src-0007',
      ]);
      const next = new URL(page.body.next);
      const previous = new URL(page.body.previous);
      expect(`${next.origin}${next.pathname}`).toBe(`${BASE}${eventSources}`);
      expect(Object.fromEntries(next.searchParams)).toEqual({
        name__ic: 'SRC',
        ordering: '-name',
        limit: '3',
        offset: '6',
      });
      expect(Object.fromEntries(previous.searchParams)).toEqual({
        name__ic: 'SRC',
        ordering: '-name',
        limit: '3',
      });
    });

    it('keeps repeated filters in the links', async () => {
      await eventSourcesNamed(h, 4);

      const page = await h.call('GET', `${eventSources}?name=src-0001&name=src-0003&limit=1`);

      expect(page.body.count).toBe(2);
      expect(new URL(page.body.next).searchParams.getAll('name')).toEqual(['src-0001', 'src-0003']);
    });

    it('visits every object exactly once by following next', async () => {
      await eventSourcesNamed(h, 23);
      const seen: number[] = [];

      let url: string | null = `${eventSources}?limit=7`;
      while (url !== null) {
        const page = await h.call('GET', url);
        seen.push(...idsOf(page.body));
        url = page.body.next === null ? null : page.body.next.slice(BASE.length);
      }

      expect(seen).toHaveLength(23);
      expect(new Set(seen).size).toBe(23);
    });

    it('answers an offset past the end with no results and a link back', async () => {
      await eventSourcesNamed(h, 3);

      const page = await h.call('GET', `${eventSources}?offset=10&limit=2`);

      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ count: 3, next: null, results: [] });
      const previous = new URL(page.body.previous);
      expect(`${previous.origin}${previous.pathname}`).toBe(`${BASE}${eventSources}`);
      expect(Object.fromEntries(previous.searchParams)).toEqual({ limit: '2', offset: '8' });
    });

    it('reads limit=0 as the largest page and clamps larger limits to 1000', async () => {
      await eventSourcesNamed(h, 1001);

      for (const limit of ['0', '5000']) {
        const page = await h.call('GET', `${eventSources}?limit=${limit}&brief=true`);
        expect(page.body.count).toBe(1001);
        expect(page.body.results).toHaveLength(1000);
        expect(page.body.next).toBe(`${BASE}${eventSources}?limit=1000&brief=true&offset=1000`);
      }
    });

    it('refuses a negative or non-numeric limit or offset', async () => {
      const negative = await h.call('GET', `${eventSources}?limit=-1`);
      const text = await h.call('GET', `${eventSources}?offset=abc`);

      expect(negative.status).toBe(400);
      expect(negative.body).toEqual({
        limit: ['Ensure this value is greater than or equal to 0.'],
      });
      expect(text.status).toBe(400);
      expect(text.body).toEqual({ offset: ['A valid integer is required.'] });
    });
  });

  describe('filters', () => {
    beforeEach(async () => {
      for (const [name, status, tags] of [
        ['db-01', 'active', ['core', 'db']],
        ['db-02', 'offline', ['db']],
        ['web_01', 'active', []],
        ['Web-02', 'planned', ['core']],
      ] as const) {
        await create(h, devices, { name, status, tags, role: name.startsWith('db') ? 'db' : null });
      }
    });

    it('matches names exactly, repeatably, by substring, ignoring case and negated', async () => {
      expect(await names(devices, 'name=db-01')).toEqual(['db-01']);
      expect(await names(devices, 'name=db-01&name=web_01')).toEqual(['db-01', 'web_01']);
      expect(await names(devices, 'name=DB-01')).toEqual([]);
      expect(await names(devices, 'name__ic=WEB')).toEqual(['Web-02', 'web_01']);
      expect(await names(devices, 'name__ie=web-02')).toEqual(['Web-02']);
      expect(await names(devices, 'name__n=db-01&name__n=db-02')).toEqual(['Web-02', 'web_01']);
    });

    it('treats % and _ in a substring filter as plain characters', async () => {
      expect(await names(devices, 'name__ic=_')).toEqual(['web_01']);
      expect(await names(devices, 'name__ic=%25')).toEqual([]);
    });

    it('filters by status, tag, repeated id and text search, all of them holding', async () => {
      const all = (await h.call('GET', `${devices}?brief=true`)).body.results;
      const idOf = (name: string) => all.find((d: { name: string }) => d.name === name).id;

      expect(await names(devices, 'status=active')).toEqual(['db-01', 'web_01']);
      expect(await names(devices, 'tag=core')).toEqual(['Web-02', 'db-01']);
      expect(await names(devices, 'tag=core&tag=db')).toEqual(['db-01']);
      expect(await names(devices, `id=${idOf('db-02')}&id=${idOf('Web-02')}`)).toEqual([
        'Web-02',
        'db-02',
      ]);
      expect(await names(devices, 'q=EB')).toEqual(['Web-02', 'web_01']);
      expect(await names(devices, 'q=db&status=offline')).toEqual(['db-02']);
      expect(await names(devices, 'role=db&tag=core')).toEqual(['db-01']);
    });

    it('orders by a sortable field, descending with -, and refuses other fields', async () => {
      expect(await names(devices, 'ordering=-name')).toEqual([
        'web_01',
        'db-02',
        'db-01',
        'Web-02',
      ]);
      expect(await names(devices, 'ordering=-id&limit=2')).toEqual(['Web-02', 'web_01']);

      const bad = await h.call('GET', `${devices}?ordering=role`);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({
        ordering: ['Cannot order by "role". Choose from: id, name, created, last_updated.'],
      });
    });

    it('answers brief objects with brief=true', async () => {
      const page = await h.call('GET', `${devices}?brief=true&name=db-01`);

      const id = page.body.results[0]?.id;
      expect(page.body.results).toEqual([brief(devices, id, 'db-01')]);
    });

    it('reads brief as NetBox does: brief=1 and brief=True too, brief=false not', async () => {
      for (const value of ['1', 'True', 'TRUE', 'true']) {
        const page = await h.call('GET', `${devices}?brief=${value}&name=db-01`);
        expect(Object.keys(page.body.results[0]), value).toEqual(['id', 'url', 'display', 'name']);
      }
      for (const value of ['0', 'false', 'False']) {
        const page = await h.call('GET', `${devices}?brief=${value}&name=db-01`);
        expect(page.body.results[0], value).toHaveProperty('status', 'active');
      }
      const bad = await h.call('GET', `${devices}?brief=maybe`);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ brief: ['Must be a valid boolean.'] });
    });

    it('filters by creation time with created_after and created_before', async () => {
      h.clock.set('2026-03-05T09:00:00.000Z');
      await create(h, devices, { name: 'late' });

      expect(await names(devices, 'created_after=2026-03-02T00:00:00Z')).toEqual(['late']);
      expect(await names(devices, 'created_before=2026-03-02T00:00:00Z')).toHaveLength(4);
      expect(
        await names(devices, 'created_after=2026-03-01T12:00:00Z&created_before=2026-03-05'),
      ).toHaveLength(4);
      const bad = await h.call('GET', `${devices}?created_after=yesterday`);
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body)).toEqual(['created_after']);
    });
  });

  describe('resource filters', () => {
    it('filters business applications by appcode and services by service_type', async () => {
      await create(h, businessApplications, { appcode: 'SHOP', name: 'Shop', owner: 'o' });
      await create(h, businessApplications, { appcode: 'PAY', name: 'Pay', owner: 'o' });
      await create(h, technicalServices, { name: 'checkout', service_type: 'logical' });
      await create(h, technicalServices, { name: 'db' });

      expect(await names(businessApplications, 'appcode=PAY')).toEqual(['Pay']);
      expect(await names(businessApplications, 'appcode__ic=o')).toEqual(['Shop']);
      expect(await names(technicalServices, 'service_type=logical')).toEqual(['checkout']);
      expect(await names(technicalServices, 'service_type=technical')).toEqual(['db']);
      const bad = await h.call('GET', `${technicalServices}?service_type=physical`);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ service_type: ['"physical" is not a valid choice.'] });
    });

    it('filters services by the name or id of a related device', async () => {
      const device = await create(h, devices, { name: 'db-01' });
      await create(h, technicalServices, { name: 'db', devices: [device.id] });
      await create(h, technicalServices, { name: 'api' });

      expect(await names(technicalServices, 'device=db-01')).toEqual(['db']);
      expect(await names(technicalServices, `device_id=${device.id}`)).toEqual(['db']);
      expect(await names(technicalServices, 'device=nope')).toEqual([]);
    });

    it('filters events by criticality, status, dedup_id and event source', async () => {
      const prom = await create(h, eventSources, { name: 'prometheus' });
      const nagios = await create(h, eventSources, { name: 'nagios' });
      const disk = await create(
        h,
        events,
        eventBody({ dedup_id: 'disk', criticality: 'critical', event_source: prom.id }),
      );
      const cpu = await create(
        h,
        events,
        eventBody({ dedup_id: 'cpu', criticality: 'warning', event_source: nagios.id }),
      );
      const ping = await create(h, events, eventBody({ dedup_id: 'ping', status: 'ok' }));
      const ids = async (query: string) => idsOf((await h.call('GET', `${events}?${query}`)).body);

      expect(await ids('criticality=critical')).toEqual([disk.id]);
      expect(await ids('criticality=medium')).toEqual([cpu.id]);
      expect(await ids('status=ok')).toEqual([ping.id]);
      expect(await ids('dedup_id=cpu')).toEqual([cpu.id]);
      expect(await ids('event_source=prometheus')).toEqual([disk.id]);
      expect(await ids(`event_source_id=${nagios.id}`)).toEqual([cpu.id]);
      expect((await ids('event_source=prometheus&event_source=nagios')).sort()).toEqual(
        [disk.id, cpu.id].sort(),
      );
      const bad = await h.call('GET', `${events}?criticality=urgent`);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ criticality: ['"urgent" is not a valid choice.'] });
    });

    it('filters events on created_at and lists them by last_seen_at, newest first', async () => {
      const old = await create(h, events, eventBody({ created_at: '2026-02-20T10:00:00Z' }));
      const recent = await create(h, events, eventBody());

      const list = await h.call('GET', events);
      const after = await h.call('GET', `${events}?created_after=2026-03-01T00:00:00Z`);
      const before = await h.call('GET', `${events}?created_before=2026-03-01T00:00:00Z`);

      expect(idsOf(list.body)).toEqual([recent.id, old.id]);
      expect(idsOf(after.body)).toEqual([recent.id]);
      expect(idsOf(before.body)).toEqual([old.id]);
    });

    it('gives each resource its own brief fields', async () => {
      const app = await create(h, businessApplications, { appcode: 'SHOP', name: 'S', owner: 'o' });
      const event = await create(h, events, eventBody({ message: 'm', criticality: 'low' }));

      const apps = await h.call('GET', `${businessApplications}?brief=true`);
      const eventList = await h.call('GET', `${events}?brief=true`);

      expect(apps.body.results).toEqual([
        {
          id: app.id,
          url: urlOf(businessApplications, app.id),
          display: 'SHOP',
          appcode: 'SHOP',
          name: 'S',
        },
      ]);
      expect(eventList.body.results).toEqual([
        {
          id: event.id,
          url: urlOf(events, event.id),
          display: 'm',
          dedup_id: event.dedup_id,
          status: 'triggered',
          criticality: 'low',
        },
      ]);
    });
  });
});

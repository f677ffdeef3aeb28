import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, brief, countOf, create, eventBody, read, urlOf } from './api-fixtures.js';

const { devices, virtualMachines, clusters, technicalServices, eventSources, events } = PATHS;

/** These suites test the REST contract of events, so incident automation stays off. */
const MANUAL = { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' };

describe.each(engines())('event source and event API on %s', (engine) => {
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

  describe('event sources', () => {
    it('creates, lists, reads, replaces, patches and deletes an event source', async () => {
      const source = await create(h, eventSources, { name: 'prometheus', description: 'AM' });
      await create(h, eventSources, { name: 'nagios' });

      expect(source).toEqual({
        id: source.id,
        url: urlOf(eventSources, source.id),
        display: 'prometheus',
        name: 'prometheus',
        description: 'AM',
        tags: [],
        custom_fields: {},
        created: START,
        last_updated: START,
      });
      const list = await h.call('GET', eventSources);
      expect(list.body.results.map((s: { name: string }) => s.name)).toEqual([
        'nagios',
        'prometheus',
      ]);
      expect(await read(h, eventSources, source.id)).toEqual(source);

      const put = await h.call('PUT', `${eventSources}${source.id}/`, {
        body: { name: 'alertmanager' },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ name: 'alertmanager', description: 'AM' });
      const patch = await h.call('PATCH', `${eventSources}${source.id}/`, {
        body: { description: 'Prometheus Alertmanager' },
      });
      expect(patch.body).toMatchObject({
        name: 'alertmanager',
        description: 'Prometheus Alertmanager',
      });

      expect((await h.call('DELETE', `${eventSources}${source.id}/`)).status).toBe(204);
      expect((await h.call('GET', `${eventSources}${source.id}/`)).status).toBe(404);
    });

    it('refuses a taken name and a name over 64 characters', async () => {
      await create(h, eventSources, { name: 'nagios' });

      const taken = await h.call('POST', eventSources, { body: { name: 'nagios' } });
      const long = await h.call('POST', eventSources, { body: { name: 'n'.repeat(65) } });

      expect(taken.status).toBe(400);
      expect(taken.body).toEqual({ name: ['event source with this name already exists.'] });
      expect(long.status).toBe(400);
      expect(long.body).toEqual({ name: ['Ensure this field has no more than 64 characters.'] });
      expect(await countOf(h, eventSources)).toBe(1);
    });

    it('keeps the events of a deleted source, without a source', async () => {
      const source = await create(h, eventSources, { name: 'nagios' });
      const event = await create(h, events, eventBody({ event_source: source.id }));

      expect((await h.call('DELETE', `${eventSources}${source.id}/`)).status).toBe(204);

      expect((await read(h, events, event.id)).event_source).toBeNull();
    });
  });

  describe('events', () => {
    it('creates an event on a device with its target and source as brief objects', async () => {
      const device = await create(h, devices, { name: 'db-01' });
      const source = await create(h, eventSources, { name: 'prometheus' });

      const answer = await h.call('POST', events, {
        body: {
          message: 'Disk almost full on db-01',
          dedup_id: 'disk-db-01',
          status: 'triggered',
          criticality: 'critical',
          object_type: 'device',
          object_id: device.id,
          event_source: source.id,
          raw: { labels: { alertname: 'DiskFull' }, values: [1, 2] },
        },
      });

      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        url: urlOf(events, answer.body.id),
        display: 'Disk almost full on db-01',
        created_at: START,
        last_seen_at: START,
        updated_at: START,
        object_type: 'device',
        object_id: device.id,
        object: brief(devices, device.id, 'db-01'),
        is_valid: true,
        invalid_reason: null,
        message: 'Disk almost full on db-01',
        dedup_id: 'disk-db-01',
        status: 'triggered',
        criticality: 'critical',
        event_source: brief(eventSources, source.id, 'prometheus'),
        raw: { labels: { alertname: 'DiskFull' }, values: [1, 2] },
      });
      expect(await read(h, events, answer.body.id)).toEqual(answer.body);
    });

    it('points events at VMs, clusters and technical services', async () => {
      const vm = await create(h, virtualMachines, { name: 'vm-1' });
      const cluster = await create(h, clusters, { name: 'c-1' });
      const service = await create(h, technicalServices, { name: 'svc-1' });

      for (const [type, id, path, name] of [
        ['virtual_machine', vm.id, virtualMachines, 'vm-1'],
        ['cluster', cluster.id, clusters, 'c-1'],
        ['technical_service', service.id, technicalServices, 'svc-1'],
      ] as const) {
        const event = await create(h, events, eventBody({ object_type: type, object_id: id }));
        expect(event).toMatchObject({ object_type: type, is_valid: true });
        expect(event.object).toEqual(brief(path, id, name));
      }
    });

    it('stores an event without a target as invalid, saying why', async () => {
      const event = await create(h, events, eventBody());

      expect(event).toMatchObject({
        object_type: null,
        object_id: null,
        object: null,
        is_valid: false,
        invalid_reason: 'no target',
      });
    });

    it('refuses a business application as an event target and an unknown target id', async () => {
      const device = await create(h, devices, { name: 'db-01' });

      const app = await h.call('POST', events, {
        body: eventBody({ object_type: 'business_application', object_id: 1 }),
      });
      const unknown = await h.call('POST', events, {
        body: eventBody({ object_type: 'device', object_id: device.id + 1 }),
      });
      const half = await h.call('POST', events, { body: eventBody({ object_type: 'device' }) });

      expect(app.status).toBe(400);
      expect(app.body).toEqual({ object_type: ['"business_application" is not a valid choice.'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual({ object_id: [`No device with id ${device.id + 1}.`] });
      expect(half.status).toBe(400);
      expect(Object.keys(half.body)).toEqual(['object_id']);
      expect(await countOf(h, events)).toBe(0);
    });

    it("accepts the plugin's misspelt criticallity field", async () => {
      const body = eventBody({ criticallity: 'critical' });
      delete body.criticality;

      const event = await create(h, events, body);

      expect(event.criticality).toBe('critical');
      expect(event).not.toHaveProperty('criticallity');
    });

    it('maps the old criticality spellings warning, info and error to the new scale', async () => {
      const cases = [
        ['warning', 'medium'],
        ['info', 'low'],
        ['error', 'high'],
      ] as const;
      for (const [given, stored] of cases) {
        const plain = await create(h, events, eventBody({ criticality: given }));
        const body = eventBody({ criticallity: given });
        delete body.criticality;
        const misspelt = await create(h, events, body);
        expect([plain.criticality, misspelt.criticality], given).toEqual([stored, stored]);
      }
    });

    it('applies criticality aliases to PATCH, PUT and every item of a bulk create', async () => {
      const event = await create(h, events, eventBody({ criticality: 'low' }));

      const patch = await h.call('PATCH', `${events}${event.id}/`, {
        body: { criticallity: 'warning' },
      });
      const put = await h.call('PUT', `${events}${event.id}/`, {
        body: eventBody({ criticality: 'error' }),
      });
      const bulk = await h.call('POST', events, {
        body: [eventBody({ criticality: 'info' }), eventBody({ criticallity: 'error' })],
      });

      expect(patch.body.criticality).toBe('medium');
      expect(put.body.criticality).toBe('high');
      expect(bulk.status).toBe(201);
      expect(bulk.body.map((e: { criticality: string }) => e.criticality)).toEqual(['low', 'high']);
    });

    it('answers each item of a bulk create in order, a repeat with its event', async () => {
      const first = eventBody({ dedup_id: 'disk-db-01', message: 'Disk at 91%' });
      const other = eventBody({ dedup_id: 'cpu-db-01' });
      const repeat = { ...first, message: 'Disk at 95%' };

      const answer = await h.call('POST', events, { body: [first, other, repeat] });

      expect(answer.status).toBe(201);
      expect(answer.body).toHaveLength(3);
      const [a, b, c] = answer.body;
      expect(b.dedup_id).toBe('cpu-db-01');
      expect(c).toEqual(a);
      expect(a).toMatchObject({ dedup_id: 'disk-db-01', message: 'Disk at 95%', occurrences: 2 });
      expect(await read(h, events, a.id)).toEqual(a);
      expect(await countOf(h, events)).toBe(2);
    });

    it('refuses an unknown criticality or status, naming both fields', async () => {
      const answer = await h.call('POST', events, {
        body: eventBody({ criticality: 'disaster', status: 'firing' }),
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        criticality: ['"disaster" is not a valid choice.'],
        status: ['"firing" is not a valid choice.'],
      });
      expect(await countOf(h, events)).toBe(0);
    });

    it('defaults last_seen_at to a given created_at', async () => {
      const event = await create(h, events, eventBody({ created_at: '2026-03-01T11:58:00Z' }));

      expect(event.created_at).toBe('2026-03-01T11:58:00.000Z');
      expect(event.last_seen_at).toBe('2026-03-01T11:58:00.000Z');
    });

    it('moves an event to another target and detaches it with null', async () => {
      const a = await create(h, devices, { name: 'a' });
      const b = await create(h, devices, { name: 'b' });
      const event = await create(h, events, eventBody({ object_type: 'device', object_id: a.id }));

      const moved = await h.call('PATCH', `${events}${event.id}/`, {
        body: { object_type: 'device', object_id: b.id },
      });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ object: brief(devices, b.id, 'b'), is_valid: true });

      const detached = await h.call('PATCH', `${events}${event.id}/`, {
        body: { object_type: null, object_id: null },
      });
      expect(detached.status).toBe(200);
      expect(detached.body).toMatchObject({
        object_type: null,
        object: null,
        is_valid: false,
        invalid_reason: 'no target',
      });
    });

    it('replaces and patches an event, and deletes it with 204', async () => {
      const event = await create(h, events, eventBody({ message: 'first' }));
      h.clock.set('2026-03-01T12:05:00.000Z');

      const put = await h.call('PUT', `${events}${event.id}/`, {
        body: eventBody({ message: 'second', status: 'ok', criticality: 'low' }),
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        message: 'second',
        status: 'ok',
        updated_at: '2026-03-01T12:05:00.000Z',
      });
      const patch = await h.call('PATCH', `${events}${event.id}/`, {
        body: { status: 'suppressed' },
      });
      expect(patch.body).toMatchObject({ message: 'second', status: 'suppressed' });

      expect((await h.call('DELETE', `${events}${event.id}/`)).status).toBe(204);
      expect((await h.call('GET', `${events}${event.id}/`)).status).toBe(404);
      expect(await countOf(h, events)).toBe(0);
    });

    it('refuses a PATCH with a message over 255 characters and keeps the event', async () => {
      const event = await create(h, events, eventBody());

      const patch = await h.call('PATCH', `${events}${event.id}/`, {
        body: { message: 'm'.repeat(256), dedup_id: 'd'.repeat(129) },
      });

      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({
        message: ['Ensure this field has no more than 255 characters.'],
        dedup_id: ['Ensure this field has no more than 128 characters.'],
      });
      expect(await read(h, events, event.id)).toEqual(event);
    });

    it('detaches the events of a deleted device and marks them invalid', async () => {
      const doomed = await create(h, devices, { name: 'doomed' });
      const kept = await create(h, devices, { name: 'kept' });
      const onDoomed = await create(
        h,
        events,
        eventBody({ object_type: 'device', object_id: doomed.id }),
      );
      const onKept = await create(
        h,
        events,
        eventBody({ object_type: 'device', object_id: kept.id }),
      );

      expect((await h.call('DELETE', `${devices}${doomed.id}/`)).status).toBe(204);

      expect(await read(h, events, onDoomed.id)).toMatchObject({
        object_type: null,
        object_id: null,
        object: null,
        is_valid: false,
        invalid_reason: 'target deleted',
        message: onDoomed.message,
      });
      expect(await read(h, events, onKept.id)).toEqual(onKept);
      expect(await countOf(h, events)).toBe(2);
    });

    it('leaves events on another kind of object with the same id alone', async () => {
      const device = await create(h, devices, { name: 'db-01' });
      const service = await create(h, technicalServices, { name: 'svc' });
      expect(service.id).toBe(device.id);
      const onService = await create(
        h,
        events,
        eventBody({ object_type: 'technical_service', object_id: service.id }),
      );

      expect((await h.call('DELETE', `${devices}${device.id}/`)).status).toBe(204);

      expect(await read(h, events, onService.id)).toEqual(onService);
    });
  });
});

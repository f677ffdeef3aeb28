import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  brief,
  countOf,
  create,
  eventBody,
  idsOf,
  read,
  urlOf,
} from './api-fixtures.js';

const { devices, virtualMachines, technicalServices, events, incidents } = PATHS;

/** These suites test the REST contract of incidents, so incident automation stays off. */
const MANUAL = { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' };

function eventBrief(event: {
  id: number;
  message: string;
  dedup_id: string;
  status: string;
  criticality: string;
}): Record<string, unknown> {
  return {
    id: event.id,
    url: urlOf(events, event.id),
    display: event.message,
    dedup_id: event.dedup_id,
    status: event.status,
    criticality: event.criticality,
  };
}

describe.each(engines())('incident API on %s', (engine) => {
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

  async function topology() {
    const device = await create(h, devices, { name: 'db-01' });
    const vm = await create(h, virtualMachines, { name: 'db-vm-1' });
    const db = await create(h, technicalServices, { name: 'db', devices: [device.id] });
    const api = await create(h, technicalServices, { name: 'api' });
    const event = await create(
      h,
      events,
      eventBody({ message: 'db down', object_type: 'device', object_id: device.id }),
    );
    return { device, vm, db, api, event };
  }

  it('creates an incident whose services, devices and events are written as ids', async () => {
    const { device, vm, db, api, event } = await topology();

    const answer = await h.call('POST', incidents, {
      body: {
        title: 'Orders database down',
        description: 'Primary lost its disk',
        severity: 'critical',
        detected_at: '2026-03-01T11:55:00Z',
        reporter: 'monitoring',
        commander: 'alice',
        responders: ['bob', 'carol'],
        affected_services: [db.id, api.id],
        affected_devices: [device.id],
        affected_virtual_machines: [vm.id],
        events: [event.id],
      },
    });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      url: urlOf(incidents, answer.body.id),
      display: 'Orders database down',
      title: 'Orders database down',
      description: 'Primary lost its disk',
      status: 'new',
      severity: 'critical',
      created_at: START,
      updated_at: START,
      detected_at: '2026-03-01T11:55:00.000Z',
      resolved_at: null,
      reporter: 'monitoring',
      commander: 'alice',
      responders: ['bob', 'carol'],
      affected_services: [
        brief(technicalServices, db.id, 'db'),
        brief(technicalServices, api.id, 'api'),
      ],
      affected_devices: [brief(devices, device.id, 'db-01')],
      affected_virtual_machines: [brief(virtualMachines, vm.id, 'db-vm-1')],
      events: [eventBrief(event)],
      auto_created: false,
    });
    expect(await read(h, incidents, answer.body.id)).toEqual(answer.body);
  });

  it('fills in defaults and ignores the read-only auto_created', async () => {
    const incident = await create(h, incidents, {
      title: 'Slow checkout',
      severity: 'low',
      auto_created: true,
    });

    expect(incident).toMatchObject({
      description: '',
      status: 'new',
      detected_at: null,
      resolved_at: null,
      reporter: '',
      commander: '',
      responders: [],
      affected_services: [],
      affected_devices: [],
      events: [],
      auto_created: false,
    });
  });

  it('lists incidents newest first', async () => {
    const first = await create(h, incidents, { title: 'first', severity: 'low' });
    h.clock.set('2026-03-01T12:10:00.000Z');
    const second = await create(h, incidents, { title: 'second', severity: 'low' });

    const list = await h.call('GET', incidents);

    expect(list.body.count).toBe(2);
    expect(idsOf(list.body)).toEqual([second.id, first.id]);
  });

  it('moves an incident through its statuses with PATCH and replaces it with PUT', async () => {
    const { db, api } = await topology();
    const incident = await create(h, incidents, {
      title: 'db down',
      severity: 'high',
      affected_services: [db.id],
    });
    h.clock.set('2026-03-01T12:30:00.000Z');

    const patch = await h.call('PATCH', `${incidents}${incident.id}/`, {
      body: { status: 'resolved', resolved_at: '2026-03-01T12:29:00Z' },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({
      status: 'resolved',
      resolved_at: '2026-03-01T12:29:00.000Z',
      updated_at: '2026-03-01T12:30:00.000Z',
      created_at: START,
      affected_services: [brief(technicalServices, db.id, 'db')],
    });

    const put = await h.call('PUT', `${incidents}${incident.id}/`, {
      body: { title: 'api down', severity: 'medium', affected_services: [api.id] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      title: 'api down',
      severity: 'medium',
      status: 'resolved',
      affected_services: [brief(technicalServices, api.id, 'api')],
    });
  });

  it('links more events and devices with PATCH and unlinks them with an empty list', async () => {
    const { device, event } = await topology();
    const other = await create(h, events, eventBody({ message: 'api slow' }));
    const incident = await create(h, incidents, {
      title: 't',
      severity: 'high',
      events: [event.id],
    });

    const linked = await h.call('PATCH', `${incidents}${incident.id}/`, {
      body: { events: [event.id, other.id], affected_devices: [device.id] },
    });
    expect(linked.status).toBe(200);
    expect(linked.body.events).toEqual([eventBrief(event), eventBrief(other)]);
    expect(linked.body.affected_devices).toEqual([brief(devices, device.id, 'db-01')]);

    const unlinked = await h.call('PATCH', `${incidents}${incident.id}/`, {
      body: { events: [], affected_devices: [] },
    });
    expect(unlinked.body).toMatchObject({ events: [], affected_devices: [] });
  });

  it('refuses related ids that do not exist and leaves the incident unchanged', async () => {
    const { db, event } = await topology();
    const incident = await create(h, incidents, {
      title: 't',
      severity: 'high',
      affected_services: [db.id],
      events: [event.id],
    });

    const patch = await h.call('PATCH', `${incidents}${incident.id}/`, {
      body: {
        title: 'changed',
        affected_services: [db.id, 900],
        affected_devices: [901],
        events: [902],
      },
    });

    expect(patch.status).toBe(400);
    expect(patch.body).toEqual({
      affected_services: ['Invalid pk "900" - object does not exist.'],
      affected_devices: ['Invalid pk "901" - object does not exist.'],
      events: ['Invalid pk "902" - object does not exist.'],
    });
    expect(await read(h, incidents, incident.id)).toEqual(incident);
  });

  it('refuses a missing severity, unknown choices, a long title and bad values', async () => {
    const missing = await h.call('POST', incidents, { body: { title: 't' } });
    const bad = await h.call('POST', incidents, {
      body: {
        title: 't'.repeat(256),
        severity: 'sev1',
        status: 'open',
        responders: 'bob',
        detected_at: '01/03/2026',
      },
    });

    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ severity: ['This field is required.'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      title: ['Ensure this field has no more than 255 characters.'],
      severity: ['"sev1" is not a valid choice.'],
      status: ['"open" is not a valid choice.'],
      responders: ['Expected a list of items but got type "str".'],
      detected_at: [
        'Datetime has wrong format. Use one of these formats instead: ' +
          'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
      ],
    });
    expect(await countOf(h, incidents)).toBe(0);
  });

  it('drops a deleted device or event from an incident and keeps the incident', async () => {
    const { device, event, db } = await topology();
    const incident = await create(h, incidents, {
      title: 't',
      severity: 'high',
      affected_services: [db.id],
      affected_devices: [device.id],
      events: [event.id],
    });

    expect((await h.call('DELETE', `${events}${event.id}/`)).status).toBe(204);
    expect((await h.call('DELETE', `${devices}${device.id}/`)).status).toBe(204);

    expect(await read(h, incidents, incident.id)).toMatchObject({
      affected_services: [brief(technicalServices, db.id, 'db')],
      affected_devices: [],
      events: [],
    });
  });

  it('deletes an incident with 204 and keeps what it linked to', async () => {
    const { db, event } = await topology();
    const incident = await create(h, incidents, {
      title: 't',
      severity: 'high',
      affected_services: [db.id],
      events: [event.id],
    });

    expect((await h.call('DELETE', `${incidents}${incident.id}/`)).status).toBe(204);

    expect((await h.call('GET', `${incidents}${incident.id}/`)).status).toBe(404);
    expect(await read(h, technicalServices, db.id)).toEqual(db);
    expect(await read(h, events, event.id)).toMatchObject({ id: event.id, message: 'db down' });
  });

  it('filters by affected service name or id, device, event, status and severity', async () => {
    const { device, db, api, event } = await topology();
    const onDb = await create(h, incidents, {
      title: 'db',
      severity: 'critical',
      affected_services: [db.id],
      affected_devices: [device.id],
      events: [event.id],
    });
    const onApi = await create(h, incidents, {
      title: 'api',
      severity: 'low',
      status: 'investigating',
      affected_services: [api.id],
    });
    const ids = async (query: string) => idsOf((await h.call('GET', `${incidents}?${query}`)).body);

    expect(await ids('service=db')).toEqual([onDb.id]);
    expect(await ids(`service_id=${api.id}`)).toEqual([onApi.id]);
    expect((await ids('service=db&service=api')).sort()).toEqual([onDb.id, onApi.id].sort());
    expect(await ids('device=db-01')).toEqual([onDb.id]);
    expect(await ids(`event_id=${event.id}`)).toEqual([onDb.id]);
    expect(await ids('severity=low')).toEqual([onApi.id]);
    expect(await ids('status=new')).toEqual([onDb.id]);
    expect(await ids('status__n=new')).toEqual([onApi.id]);
  });
});

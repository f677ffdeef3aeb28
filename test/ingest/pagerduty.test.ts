import { describe, expect, it } from 'vitest';

import {
  AUTO_RESOLVE,
  PATHS,
  at,
  patch,
  timeline,
  type ShopTopology,
  useShopHarness,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import { event, eventCount, expectStatus, incident, postAlert } from './ingest-fixtures.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';

/** An Events API v2 trigger as PagerDuty documents it. */
function trigger(extra: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) {
  return {
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: 'db-host-01/disk',
    payload: {
      summary: 'Disk full on db-host-01',
      source: 'db-host-01',
      severity: 'critical',
      timestamp: at(0),
      component: 'postgres',
      group: 'prod-db',
      class: 'disk',
      custom_details: { free_bytes: 0, mount: '/var' },
      ...payload,
    },
    client: 'Zabbix',
    client_url: 'https://zabbix.example.com',
    ...extra,
  };
}

const followUp = (action: string, dedup = 'db-host-01/disk') => ({
  routing_key: ROUTING_KEY,
  event_action: action,
  dedup_key: dedup,
});

describe.each(engines())('PagerDuty Events API v2 on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  const send = (body: unknown) => postAlert(h, 'pagerduty', body);

  it('answers a trigger 202 as PagerDuty does, and stores it without the routing key', async () => {
    const answer = await send(trigger());

    expectStatus(answer, 202);
    expect(answer.body).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'db-host-01/disk',
      event_id: expect.any(Number),
      incident_id: expect.any(Number),
    });
    const stored = await event(h, answer.body.event_id);
    const { routing_key: _key, ...withoutKey } = trigger();
    expect(stored).toMatchObject({
      dedup_id: 'db-host-01/disk',
      message: 'Disk full on db-host-01',
      status: 'triggered',
      criticality: 'critical',
      object_type: 'device',
      object_id: shop.dbHost.id,
      created_at: at(0),
      raw: withoutKey,
    });
    expect(JSON.stringify(stored.raw)).not.toContain(ROUTING_KEY);
    expect(stored.event_source.name).toBe('pagerduty');
  });

  it.each([
    ['critical', 'critical'],
    ['error', 'high'],
    ['warning', 'medium'],
    ['info', 'low'],
  ])('maps severity %s to %s', async (severity, criticality) => {
    const answer = await send(trigger({}, { severity }));

    expect((await event(h, answer.body.event_id)).criticality).toBe(criticality);
  });

  it('makes up a dedup key for a trigger without one, and a repeat with it folds', async () => {
    const first = await send(trigger({ dedup_key: undefined }));
    const repeat = await send(trigger({ dedup_key: first.body.dedup_key }));

    expect(first.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(repeat.body.event_id).toBe(first.body.event_id);
  });

  it('moves the incident to investigating on acknowledge, with a timeline entry', async () => {
    const first = await send(trigger());
    const ack = await send(followUp('acknowledge'));
    const again = await send(followUp('acknowledge'));
    h.clock.set(at(1));
    const joined = await send(trigger({ dedup_key: 'db-host-01/cpu' }, { summary: 'CPU' }));

    expectStatus(ack, 202);
    expect(ack.body).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'db-host-01/disk',
      event_id: first.body.event_id,
      incident_id: first.body.incident_id,
    });
    expectStatus(again, 202);
    expect(joined.body.incident_id).toBe(first.body.incident_id);
    expect(await incident(h, first.body.incident_id)).toMatchObject({ status: 'investigating' });
    expect(await event(h, first.body.event_id)).toMatchObject({ status: 'triggered' });
    const changes = (await timeline(h, first.body.incident_id)).filter(
      (e) => e.kind === 'status_changed',
    );
    expect(changes).toEqual([
      expect.objectContaining({
        actor: 'w',
        at: at(0),
        message:
          `Status changed from new to investigating: event ${first.body.event_id} ` +
          'acknowledged',
        detail: { from: 'new', to: 'investigating', event_id: first.body.event_id },
      }),
    ]);
  });

  it('leaves an incident further along than new where it is', async () => {
    const first = await send(trigger());
    await patch(h, PATHS.incidents, first.body.incident_id, { status: 'identified' });

    await send(followUp('acknowledge'));

    expect(await incident(h, first.body.incident_id)).toMatchObject({ status: 'identified' });
  });

  it('clears the alert on resolve, keeping its message, and resolves the incident', async () => {
    const first = await send(trigger());
    await send(followUp('acknowledge'));
    h.clock.set(at(4));
    const resolved = await send(followUp('resolve'));
    h.clock.set(at(6));
    const retriggered = await send(trigger({}, { timestamp: at(6) }));

    expectStatus(resolved, 202);
    expect(resolved.body).toMatchObject({ event_id: first.body.event_id, incident_id: null });
    expect(await event(h, first.body.event_id)).toMatchObject({
      status: 'triggered',
      message: 'Disk full on db-host-01',
      criticality: 'critical',
      occurrences: 3,
    });
    expect(retriggered.body.incident_id).toBe(first.body.incident_id);
    expect(await incident(h, first.body.incident_id)).toMatchObject({
      status: 'investigating',
      resolved_at: null,
    });
    const kinds = (await timeline(h, first.body.incident_id)).map((e) => e.kind);
    expect(kinds).toEqual(['opened', 'status_changed', 'auto_resolved', 'reopened']);
  });

  it('answers 202 with a warning to a follow-up on an unknown alert, storing nothing', async () => {
    const ack = await send(followUp('acknowledge', 'never-sent'));
    const resolve = await send(followUp('resolve', 'never-sent'));

    for (const answer of [ack, resolve]) {
      expectStatus(answer, 202);
      expect(answer.body).toEqual({
        status: 'success',
        message: 'Event processed',
        dedup_key: 'never-sent',
        event_id: null,
        incident_id: null,
        warning: 'no alert with dedup_key never-sent; nothing changed',
      });
    }
    expect(await eventCount(h)).toBe(0);
  });

  it('serves the same API at /v2/enqueue, with a token', async () => {
    const answer = await h.call('POST', '/v2/enqueue', { body: trigger() });
    const anonymous = await h.call('POST', '/v2/enqueue', { body: trigger(), token: null });
    const readOnly = await h.call('POST', '/v2/enqueue', { body: trigger(), token: h.readToken });

    expectStatus(answer, 202);
    expect(answer.body).toMatchObject({ status: 'success', dedup_key: 'db-host-01/disk' });
    expectStatus(anonymous, 401);
    expectStatus(readOnly, 403);
    expect(await eventCount(h)).toBe(1);
  });

  it('names every bad field in PagerDuty words and stores nothing', async () => {
    const bad = await send({
      event_action: 'trigger',
      dedup_key: 'd'.repeat(129),
      payload: { summary: '', severity: 'fatal', timestamp: at(10) },
    });
    const noPayload = await send({ routing_key: ROUTING_KEY, event_action: 'trigger' });
    const noKey = await send({ routing_key: ROUTING_KEY, event_action: 'resolve' });
    const action = await send({ routing_key: ROUTING_KEY, event_action: 'snooze' });

    expectStatus(bad, 400);
    expect(bad.body).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: {
        routing_key: ['This field is required.'],
        dedup_key: ['Ensure this field has no more than 128 characters.'],
        'payload.summary': ['This field may not be blank.'],
        'payload.source': ['This field is required.'],
        'payload.severity': ['"fatal" is not a valid choice.'],
        'payload.timestamp': ['Timestamp is more than 5 minutes in the future.'],
      },
    });
    expect(noPayload.body.errors).toEqual({ payload: ['This field is required.'] });
    expect(noKey.body.errors).toEqual({ dedup_key: ['This field is required to resolve.'] });
    expect(action.body.errors).toEqual({ event_action: ['"snooze" is not a valid choice.'] });
    expect(await eventCount(h)).toBe(0);
  });

  it('refuses a list: the Events API takes one event at a time', async () => {
    const answer = await send([trigger()]);

    expectStatus(answer, 400);
    expect(await eventCount(h)).toBe(0);
  });
});

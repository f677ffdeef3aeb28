import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PATHS, START, read, send } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import { BASE } from '../support/harness.js';
import {
  DELIVERIES,
  KEYS,
  SECRET,
  TOKEN_PATH,
  alertOn,
  apiEnv,
  deliveries,
  incidentLink,
  notifyTopology,
  type NotifyTopology,
} from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(engines())('GET notification-deliveries/ on %s', (engine) => {
  let h: NotifyHarness;
  let t: NotifyTopology;
  /** Incident on the database host: its webhook keeps failing with 503. */
  let dbIncident: number;
  /** Incident on the mail host: its webhook answers 400. */
  let mailIncident: number;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, apiEnv);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await notifyTopology(h);
    h.receiver.respond((request) => {
      if (request.path === '/pagerduty') return { status: 202 };
      return request.body.incident.id === dbIncident ? { status: 503 } : { status: 400 };
    });
    dbIncident = (await send(h, alertOn(t, 'db-down', t.dbHost))).correlation.incident_id;
    mailIncident = (await send(h, alertOn(t, 'mail-down', t.mailHost))).correlation.incident_id;
    await h.faultline.deliveries.runDue();
  });
  afterAll(async () => {
    await h.close();
  });

  const list = (query: string) => h.call('GET', `${DELIVERIES}${query}`);

  it('lists each delivery with its status, attempts, last error and next try', async () => {
    const rows = await deliveries(h, '&ordering=id');
    const incident = await read(h, PATHS.incidents, dbIncident);

    expect(rows.map((r) => [r.channel, r.action, r.incident_id, r.status])).toEqual([
      ['webhook', 'created', dbIncident, 'pending'],
      ['pagerduty', 'trigger', dbIncident, 'delivered'],
      ['webhook', 'created', mailIncident, 'failed'],
      ['pagerduty', 'trigger', mailIncident, 'delivered'],
    ]);
    const [pending, delivered, failed] = rows;
    expect(pending).toEqual({
      id: pending.id,
      url: `${BASE}${DELIVERIES}${pending.id}/`,
      display: `webhook created #${dbIncident}`,
      delivery_id: expect.stringMatching(UUID),
      channel: 'webhook',
      target: `http://127.0.0.1:${h.receiver.port}/****5b4a`,
      action: 'created',
      incident_id: dbIncident,
      status: 'pending',
      attempts: 1,
      last_error: 'HTTP 503: {}',
      next_attempt_at: '2026-03-01T12:00:01.000Z',
      delivered_at: null,
      created: START,
      last_updated: START,
      incident: {
        id: dbIncident,
        url: incidentLink(dbIncident),
        display: incident.title,
        title: incident.title,
        status: 'new',
        severity: 'high',
      },
    });
    expect(delivered).toMatchObject({
      target: '****4567',
      attempts: 1,
      last_error: null,
      next_attempt_at: null,
      delivered_at: START,
    });
    expect(failed).toMatchObject({
      attempts: 1,
      last_error: 'HTTP 400: {}',
      next_attempt_at: null,
      delivered_at: null,
    });
  });

  it.each([
    ['?status=pending', ['webhook created db']],
    ['?status=failed', ['webhook created mail']],
    ['?status=pending&status=failed&ordering=id', ['webhook created db', 'webhook created mail']],
    ['?status=delivered&ordering=id', ['pagerduty trigger db', 'pagerduty trigger mail']],
    ['?channel=webhook&ordering=id', ['webhook created db', 'webhook created mail']],
    ['?action=trigger&ordering=-id', ['pagerduty trigger mail', 'pagerduty trigger db']],
    ['?incident_id=MAIL&ordering=id', ['webhook created mail', 'pagerduty trigger mail']],
    ['?q=503', ['webhook created db']],
    ['?attempts=1&status__n=delivered&ordering=id', ['webhook created db', 'webhook created mail']],
  ])('filters %s', async (query, expected) => {
    const answer = await list(query.replace('MAIL', String(mailIncident)));

    expect(answer.status).toBe(200);
    const name = (r: any) =>
      `${r.channel} ${r.action} ${r.incident_id === dbIncident ? 'db' : 'mail'}`;
    expect(answer.body.results.map(name)).toEqual(expected);
    expect(answer.body.count).toBe(expected.length);
  });

  it('pages with limit and offset, newest first by default', async () => {
    const all = await deliveries(h);
    const first = await list('?limit=3');
    const second = await list('?limit=3&offset=3');

    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => b - a));
    expect(first.body).toMatchObject({
      count: 4,
      next: `${BASE}${DELIVERIES}?limit=3&offset=3`,
      previous: null,
    });
    expect(first.body.results.map((r: any) => r.id)).toEqual(all.slice(0, 3).map((r) => r.id));
    expect(second.body).toMatchObject({
      count: 4,
      next: null,
      previous: `${BASE}${DELIVERIES}?limit=3`,
    });
    expect(second.body.results.map((r: any) => r.id)).toEqual([all[3].id]);
  });

  it('orders by the next try', async () => {
    h.clock.advance(60_000);
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi));

    const answer = await list('?status=pending&ordering=next_attempt_at');

    expect(answer.body.results.map((r: any) => [r.action, r.next_attempt_at])).toEqual([
      ['created', '2026-03-01T12:00:01.000Z'],
      ['updated', '2026-03-01T12:01:00.000Z'],
    ]);
  });

  it('shows one delivery with the body it sends, PagerDuty without its routing key', async () => {
    const [webhook, pagerDuty] = await deliveries(h, `&incident_id=${dbIncident}&ordering=id`);

    const hook = await h.call('GET', `${DELIVERIES}${webhook.id}/`);
    const event = await h.call('GET', `${DELIVERIES}${pagerDuty.id}/`);

    expect(hook.status).toBe(200);
    const posted = h.receiver.requests.filter((r) => r.headers['x-faultline-delivery']);
    const postedOf = (row: any) =>
      posted.find((r) => r.headers['x-faultline-delivery'] === row.delivery_id)!.body;
    expect(hook.body).toEqual({ ...webhook, payload: postedOf(webhook) });
    const { routing_key: key, ...sent } = postedOf(pagerDuty);
    expect(key).toBe(KEYS.fallback);
    expect(event.body).toEqual({ ...pagerDuty, payload: sent });
    expect(JSON.stringify(event.body)).not.toContain(KEYS.fallback);
  });

  it('answers 404 for a delivery that does not exist', async () => {
    const answer = await h.call('GET', `${DELIVERIES}999999/`);

    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ detail: 'Not found.' });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('is read-only: %s answers 405', async (method) => {
    const [row] = await deliveries(h);

    const onList = await h.call(method, DELIVERIES, { body: {} });
    const onOne = await h.call(method, `${DELIVERIES}${row.id}/`, { body: {} });

    expect(onList.status).toBe(405);
    expect(onList.headers.allow).toBe('GET, HEAD');
    expect(onOne.status).toBe(405);
    expect(onOne.body).toEqual({ detail: `Method "${method}" not allowed.` });
    expect(await deliveries(h)).toHaveLength(4);
  });

  it('needs a token, and a read token is enough', async () => {
    expect((await h.call('GET', DELIVERIES, { token: null })).status).toBe(401);
    expect((await h.call('GET', DELIVERIES, { token: h.readToken })).body.count).toBe(4);
  });

  it('never shows the webhook URL, its secret or a routing key whole', async () => {
    const answers = [await list('?limit=0')];
    for (const row of await deliveries(h)) {
      answers.push(await h.call('GET', row.url.slice(BASE.length)));
    }

    const text = JSON.stringify(answers.map((a) => a.body));
    for (const secret of [SECRET, KEYS.fallback, TOKEN_PATH, 'T0KEN']) {
      expect(text).not.toContain(secret);
    }
  });
});

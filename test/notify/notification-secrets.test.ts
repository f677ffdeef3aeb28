import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PATHS, START, patch, read, send } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import {
  APPS,
  KEYS,
  NOTIFY_ON,
  SECRET,
  TOKEN_PATH,
  alertOn,
  apiEnv,
  deliveries,
  drain,
  expectSigned,
  notifyTopology,
  type NotifyTopology,
} from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';

const { technicalServices } = PATHS;

describe.each(engines())('notification secrets on %s', (engine) => {
  let h: NotifyHarness;
  let t: NotifyTopology;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, apiEnv);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await notifyTopology(h);
  });
  afterAll(async () => {
    await h.close();
  });

  /** The routing key PagerDuty received for the incident an alert on the database host opens. */
  const keyUsedForDatabase = async () => {
    await send(h, alertOn(t, 'db-down', t.dbHost));
    await drain(h);
    return h.receiver.to('/pagerduty').map((r) => r.body.routing_key as string);
  };

  it('shows routing keys of services and applications only masked', async () => {
    const changed = await patch(h, technicalServices, t.database.id, {
      pagerduty_routing_key: KEYS.database,
    });
    await patch(h, APPS, t.billing.id, { pagerduty_routing_key: KEYS.billing });

    const listed = await h.call('GET', `${technicalServices}?name=database`);
    const app = await read(h, APPS, t.billing.id);

    expect(changed.pagerduty_routing_key).toBe('****3456');
    expect((await read(h, technicalServices, t.database.id)).pagerduty_routing_key).toBe(
      '****3456',
    );
    expect(listed.body.results[0].pagerduty_routing_key).toBe('****3456');
    expect(app.pagerduty_routing_key).toBe('****BILL');
    expect((await read(h, technicalServices, t.mail.id)).pagerduty_routing_key).toBeNull();
  });

  it('keeps the stored key when a client sends back the masked value it read', async () => {
    await patch(h, technicalServices, t.database.id, { pagerduty_routing_key: KEYS.database });
    const shown = await read(h, technicalServices, t.database.id);

    const edited = await patch(h, technicalServices, t.database.id, {
      service_type: 'logical',
      pagerduty_routing_key: shown.pagerduty_routing_key,
    });

    expect(edited).toMatchObject({
      service_type: 'logical',
      pagerduty_routing_key: '****3456',
    });
    expect(await keyUsedForDatabase()).toEqual([KEYS.database]);
  });

  it('forgets a key set to null: the incident falls back to the default key', async () => {
    await patch(h, technicalServices, t.database.id, { pagerduty_routing_key: KEYS.database });

    const cleared = await patch(h, technicalServices, t.database.id, {
      pagerduty_routing_key: null,
    });

    expect(cleared.pagerduty_routing_key).toBeNull();
    expect(await keyUsedForDatabase()).toEqual([KEYS.fallback]);
  });

  it.each(['not a key!', '****0000', 'short'])(
    'refuses the routing key %j without repeating it',
    async (key) => {
      const answer = await h.call('PATCH', `${technicalServices}${t.database.id}/`, {
        body: { pagerduty_routing_key: key },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ pagerduty_routing_key: ['Enter 8 to 64 letters and digits.'] });
    },
  );

  it('logs failures with the receiver, secret and routing key masked', async () => {
    const hookUrl = h.receiver.url(TOKEN_PATH);
    h.receiver.respond((request, index) => {
      if (request.path === '/pagerduty') {
        const errors = [`routing_key ${request.body.routing_key} is not active`];
        return { status: 400, body: JSON.stringify({ status: 'invalid event', errors }) };
      }
      if (index > 1) return { status: 200 };
      return { status: 500, body: `signature for ${SECRET} at ${hookUrl} failed` };
    });
    await patch(h, technicalServices, t.mail.id, { pagerduty_routing_key: KEYS.database });
    const id = (await send(h, alertOn(t, 'mail-down', t.mailHost))).correlation.incident_id;
    await h.faultline.deliveries.runDue();
    const stored = await deliveries(h, '&ordering=id');
    await drain(h);

    const masked = `http://127.0.0.1:${h.receiver.port}/****5b4a`;
    expect(stored.map((d) => [d.channel, d.status, d.last_error])).toEqual([
      ['webhook', 'pending', `HTTP 500: signature for ****cdef at ${masked} failed`],
      [
        'pagerduty',
        'failed',
        'HTTP 400: {"status":"invalid event","errors":["routing_key ****3456 is not active"]}',
      ],
    ]);
    const lines = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const retry = lines.find((l) => l.msg === 'notification delivery failed, will retry');
    const failed = lines.find((l) => l.msg === 'notification delivery failed');
    expect(retry).toMatchObject({
      level: 'WARN',
      component: 'notify',
      delivery_id: stored[0].delivery_id,
      channel: 'webhook',
      target: masked,
      action: 'created',
      incident_id: id,
      attempt: 1,
      error: stored[0].last_error,
      next_attempt_at: '2026-03-01T12:00:01.000Z',
    });
    expect(failed).toMatchObject({
      level: 'ERROR',
      channel: 'pagerduty',
      target: '****3456',
      action: 'trigger',
      incident_id: id,
      error: stored[1].last_error,
    });
    const text = h.logs.join('\n');
    for (const secret of [SECRET, KEYS.database, KEYS.fallback, TOKEN_PATH, 'T0KEN']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe.each(engines())('webhook entries sharing a URL on %s', (engine) => {
  const OTHER_SECRET = 'whsec-fedcba9876543210';
  let h: NotifyHarness;
  let t: NotifyTopology;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, (receiver) => ({
      ...NOTIFY_ON,
      BUSINESS_APP_NOTIFICATION_WEBHOOKS: JSON.stringify([
        { url: receiver.url('/hook'), secret: SECRET },
        { url: receiver.url('/hook'), secret: OTHER_SECRET, events: ['created'] },
      ]),
    }));
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await notifyTopology(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('signs each delivery with the secret of its own entry, on retries too', async () => {
    // The second entry's first attempt fails: its retry must keep its own secret.
    h.receiver.respond((request, index) => ({ status: index === 1 ? 503 : 200 }));
    await send(h, alertOn(t, 'db-down', t.dbHost));
    await drain(h);

    const requests = h.receiver.to('/hook');
    const byDelivery = new Map<string, typeof requests>();
    for (const request of requests) {
      const id = String(request.headers['x-faultline-delivery']);
      byDelivery.set(id, [...(byDelivery.get(id) ?? []), request]);
    }
    const rows = await deliveries(h, '&ordering=id');
    expect(rows.map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 2],
    ]);
    const [first, second] = rows.map((d) => byDelivery.get(d.delivery_id)!);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(2);
    expectSigned(first![0]!, SECRET);
    for (const request of second!) expectSigned(request, OTHER_SECRET);
  });
});

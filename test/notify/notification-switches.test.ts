import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PATHS, START, at, patch, read, send } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import {
  DELIVERIES,
  KEYS,
  SECRET,
  alertOn,
  deliveries,
  drain,
  notifyTopology,
} from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';
import type { Receiver } from './receiver.js';

/** A signed hook and a plain URL: configured, but switched off below. */
const hooks = (receiver: Receiver) =>
  JSON.stringify([{ url: receiver.url('/hook'), secret: SECRET }, receiver.url('/plain')]);

/**
 * BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED governs the webhooks only: PagerDuty hears of
 * incidents whenever a routing key applies.
 */
describe.each(engines())('notifications switched off on %s', (engine) => {
  const offEnv = (receiver: Receiver) => ({
    BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: 'true',
    BUSINESS_APP_NOTIFICATION_WEBHOOKS: hooks(receiver),
    BUSINESS_APP_PAGERDUTY_EVENTS_URL: receiver.url('/pagerduty'),
  });
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, (receiver) => ({
      ...offEnv(receiver),
      BUSINESS_APP_PAGERDUTY_ROUTING_KEY: KEYS.fallback,
    }));
  });
  afterAll(async () => {
    await h.close();
  });

  /** An incident opened, joined, taken on by a person and cleared. */
  async function playIncident(): Promise<number> {
    h.clock.set(START);
    const t = await notifyTopology(h);
    const first = await send(h, alertOn(t, 'db-down', t.dbHost));
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi));
    await patch(h, PATHS.incidents, first.correlation.incident_id, { status: 'investigating' });
    h.clock.set(at(5));
    await send(h, alertOn(t, 'db-down', t.dbHost, { status: 'ok' }));
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi, { status: 'ok' }));
    return first.correlation.incident_id as number;
  }

  const stored = async () =>
    (
      await sql<{ n: number }>`select count(*) as n from notification_deliveries`.execute(
        h.faultline.database.db,
      )
    ).rows[0]!.n;

  it('sends no webhook, but PagerDuty still hears of incidents while a routing key is set', async () => {
    await h.reset();
    const id = await playIncident();
    await drain(h);

    expect(h.faultline.settings.automation.notificationsEnabled).toBe(false);
    expect((await read(h, PATHS.incidents, id)).status).toBe('monitoring');
    expect((await deliveries(h)).map((d) => d.channel)).toEqual(Array(3).fill('pagerduty'));
    expect(h.receiver.requests.map((r) => r.path)).toEqual(Array(3).fill('/pagerduty'));
    expect(
      h.receiver.to('/pagerduty').map((r) => [r.body.event_action, r.body.routing_key]),
    ).toEqual([
      ['trigger', KEYS.fallback],
      ['acknowledge', KEYS.fallback],
      ['resolve', KEYS.fallback],
    ]);
  });

  it('writes nothing to the outbox and sends nothing without a routing key', async () => {
    await h.reconfigure(offEnv);
    await h.reset();
    await playIncident();

    const listed = await h.call('GET', DELIVERIES);
    expect(h.faultline.settings.automation.pagerdutyRoutingKey).toBeNull();
    expect(Number(await stored())).toBe(0);
    expect(listed.body).toMatchObject({ count: 0, results: [] });
    expect(await h.faultline.deliveries.runDue()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(h.receiver.requests).toEqual([]);
  });

  it('triggers PagerDuty with the routing key a service carries, without any default', async () => {
    await h.reconfigure(offEnv);
    await h.reset();
    h.clock.set(START);
    const t = await notifyTopology(h);
    await patch(h, PATHS.technicalServices, t.database.id, {
      pagerduty_routing_key: KEYS.database,
    });
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi));
    await drain(h);

    expect(h.receiver.requests.map((r) => r.path)).toEqual(['/pagerduty']);
    expect(h.receiver.to('/pagerduty')[0]!.body).toMatchObject({
      routing_key: KEYS.database,
      event_action: 'trigger',
    });
  });
});

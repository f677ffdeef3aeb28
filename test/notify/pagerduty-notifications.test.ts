import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PATHS, START, at, patch, send } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import {
  APPS,
  KEYS,
  NOTIFY_ON,
  alertOn,
  deliveries,
  drain,
  incidentLink,
  notifyTopology,
  type NotifyTopology,
} from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';
import type { Receiver } from './receiver.js';

/** PagerDuty at the receiver's `/pagerduty`, with or without a default routing key. */
const pagerDuty =
  (withDefault: boolean) =>
  (receiver: Receiver): Record<string, string> => ({
    ...NOTIFY_ON,
    BUSINESS_APP_PAGERDUTY_EVENTS_URL: receiver.url('/pagerduty'),
    ...(withDefault ? { BUSINESS_APP_PAGERDUTY_ROUTING_KEY: KEYS.fallback } : {}),
  });

const dedup = (id: number) => `faultline-incident-${id}`;

describe.each(engines())('PagerDuty events on %s', (engine) => {
  let h: NotifyHarness;
  let t: NotifyTopology;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, pagerDuty(true));
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await notifyTopology(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const events = () => h.receiver.to('/pagerduty').map((r) => r.body);
  const setKey = (path: string, id: number, key: string) =>
    patch(h, path, id, { pagerduty_routing_key: key });
  const open = async (target: any, extra = {}) =>
    (await send(h, alertOn(t, `${target.name}-down`, target, extra))).correlation
      .incident_id as number;

  it('triggers, acknowledges and resolves one PagerDuty incident per Faultline incident', async () => {
    const id = await open(t.dbHost);
    h.clock.set(at(1));
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi));
    await patch(h, PATHS.incidents, id, { status: 'investigating' });
    await patch(h, PATHS.incidents, id, { status: 'identified' });
    h.clock.set(at(5));
    await send(h, alertOn(t, 'db-host-01-down', t.dbHost, { status: 'ok' }));
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi, { status: 'ok' }));
    await drain(h);

    expect(events()).toEqual([
      {
        routing_key: KEYS.fallback,
        event_action: 'trigger',
        dedup_key: dedup(id),
        payload: {
          summary: `#${id} Service disruption affecting database`,
          source: 'database',
          severity: 'error',
          timestamp: START,
          component: 'database',
          class: 'incident',
          custom_details: {
            incident_id: id,
            status: 'new',
            severity: 'high',
            root_cause_services: ['database'],
            affected_services: ['database'],
            business_applications: ['Billing', 'Web shop'],
            event_count: 1,
          },
        },
        client: 'Faultline',
        client_url: incidentLink(id),
        links: [{ href: incidentLink(id), text: `#${id}` }],
      },
      { routing_key: KEYS.fallback, event_action: 'acknowledge', dedup_key: dedup(id) },
      { routing_key: KEYS.fallback, event_action: 'resolve', dedup_key: dedup(id) },
    ]);
    const rows = await deliveries(h, '&channel=pagerduty&ordering=id');
    expect(rows.map((r) => r.action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(h.receiver.to('/pagerduty').map((r) => r.headers['x-faultline-delivery'])).toEqual(
      rows.map((r) => r.delivery_id),
    );
  });

  it('triggers again under the same dedup key when a resolved incident reopens', async () => {
    const id = await open(t.dbHost);
    h.clock.set(at(5));
    await send(h, alertOn(t, 'db-host-01-down', t.dbHost, { status: 'ok' }));
    h.clock.set(at(9));
    await send(h, alertOn(t, 'db-host-01-down', t.dbHost));
    await drain(h);

    expect(events().map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', dedup(id)],
      ['resolve', dedup(id)],
      ['trigger', dedup(id)],
    ]);
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
  ])('sends severity %s as %s', async (criticality, severity) => {
    await open(t.mailHost, { criticality });
    await drain(h);

    expect(events()).toHaveLength(1);
    expect(events()[0].payload.severity).toBe(severity);
    expect(events()[0].payload.custom_details.severity).toBe(criticality);
  });

  describe('routing keys', () => {
    beforeEach(async () => {
      await setKey(PATHS.technicalServices, t.database.id, KEYS.database);
      await setKey(APPS, t.billing.id, KEYS.billing);
    });

    it.each([
      ['the root-cause service', 'dbHost', 'database'],
      ['a service upstream, two hops away', 'webShop', 'database'],
      ["the service's business application before its upstream", 'billingApi', 'billing'],
      ['the default when nothing carries one', 'mailHost', 'fallback'],
    ] as const)('uses the key of %s', async (_what, target, key) => {
      await open(t[target]);
      await drain(h);

      expect(events().map((e) => e.routing_key)).toEqual([KEYS[key]]);
    });

    it('keeps the key an incident was triggered with when the service key changes', async () => {
      const id = await open(t.dbHost);
      await setKey(PATHS.technicalServices, t.database.id, 'Rchanged0123456789');
      await patch(h, PATHS.incidents, id, { status: 'investigating' });
      h.clock.set(at(5));
      await send(h, alertOn(t, 'db-host-01-down', t.dbHost, { status: 'ok' }));
      await drain(h);

      expect(events().map((e) => [e.event_action, e.routing_key])).toEqual([
        ['trigger', KEYS.database],
        ['acknowledge', KEYS.database],
        ['resolve', KEYS.database],
      ]);
    });
  });
});

/** The port the links name when BASE_URL is unset (nothing listens there in the tests). */
const OWN_PORT = 18123;

describe.each(engines())('PagerDuty without a default routing key on %s', (engine) => {
  let h: NotifyHarness;
  let t: NotifyTopology;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, (receiver) => ({
      ...pagerDuty(false)(receiver),
      BASE_URL: '',
      PORT: String(OWN_PORT),
    }));
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await notifyTopology(h);
    await patch(h, PATHS.technicalServices, t.database.id, {
      pagerduty_routing_key: KEYS.database,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('queues nothing for an incident no key reaches', async () => {
    await send(h, alertOn(t, 'mail-down', t.mailHost));
    await drain(h);

    expect(await deliveries(h)).toEqual([]);
    expect(h.receiver.requests).toEqual([]);
  });

  it('triggers with the key of a service the incident reaches', async () => {
    await send(h, alertOn(t, 'orders-5xx', t.ordersApi));
    await drain(h);

    expect(h.receiver.to('/pagerduty').map((r) => r.body.routing_key)).toEqual([KEYS.database]);
  });

  it("links to the server's own address when BASE_URL is unset", async () => {
    const answer = await send(h, alertOn(t, 'orders-5xx', t.ordersApi));
    await drain(h);

    const id = answer.correlation.incident_id as number;
    const link = `http://127.0.0.1:${OWN_PORT}/api/plugins/business-application/incidents/${id}/`;
    expect(h.faultline.settings.baseUrl).toBeNull();
    expect(h.receiver.to('/pagerduty')[0]!.body).toMatchObject({
      client_url: link,
      links: [{ href: link, text: `#${id}` }],
    });
  });
});

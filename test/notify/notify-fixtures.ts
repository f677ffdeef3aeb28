import { createHmac } from 'node:crypto';

import { expect } from 'vitest';

import {
  create,
  dependsOn,
  device,
  eventSource,
  service,
  type Alert,
} from '../automation/automation-fixtures.js';
import { BASE, PLUGIN, type Harness } from '../support/harness.js';
import type { NotifyHarness } from './notify-harness.js';
import type { Received, Receiver } from './receiver.js';

export const DELIVERIES = `${PLUGIN}/notification-deliveries/`;
export const APPS = `${PLUGIN}/business-applications/`;

/** The secret the signed test webhook shares with Faultline. */
export const SECRET = 'whsec-0123456789abcdef';

/** Routing keys: the default, and ones carried by a service and an application. */
export const KEYS = {
  fallback: 'Rdefault0123456789abcdef01234567',
  database: 'Rdatabase0123456789abcdef0123456',
  billing: 'Rbilling0123456789abcdefBILL',
} as const;

/** Notifications on, automatic resolution on. */
export const NOTIFY_ON = {
  BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED: 'true',
  BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: 'true',
};

/** One signed webhook at `/hook`, taking every action. */
export const signedHook = (receiver: Receiver) => ({
  ...NOTIFY_ON,
  BUSINESS_APP_NOTIFICATION_WEBHOOKS: JSON.stringify([
    { url: receiver.url('/hook'), secret: SECRET },
  ]),
});

/** A webhook path holding a token, as chat webhooks do: shown only masked. */
export const TOKEN_PATH = '/hooks/T0KEN-9f8e7d6c5b4a';

/** A signed webhook at TOKEN_PATH and PagerDuty at `/pagerduty` with the default key. */
export const apiEnv = (receiver: Receiver) => ({
  ...NOTIFY_ON,
  BUSINESS_APP_NOTIFICATION_WEBHOOKS: JSON.stringify([
    { url: receiver.url(TOKEN_PATH), secret: SECRET },
  ]),
  BUSINESS_APP_PAGERDUTY_ROUTING_KEY: KEYS.fallback,
  BUSINESS_APP_PAGERDUTY_EVENTS_URL: receiver.url('/pagerduty'),
});

/** The incident's link in the API, as bodies carry it. */
export const incidentLink = (id: number) => `${BASE}${PLUGIN}/incidents/${id}/`;

/** `sha256=<HMAC-SHA256 of the raw body>`, computed here independently of Faultline. */
export function signatureOf(secret: string, raw: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw, 'utf8').digest('hex')}`;
}

/** Asserts that a request carries a valid signature of its exact bytes under `secret`. */
export function expectSigned(request: Received, secret = SECRET): void {
  expect(request.headers['x-webhook-signature']).toBe(signatureOf(secret, request.raw));
}

/** The outbox through the API (up to 1,000 rows), newest first unless `query` orders it. */
export async function deliveries(h: Harness, query = ''): Promise<any[]> {
  const answer = await h.call('GET', `${DELIVERIES}?limit=1000${query}`);
  expect(answer.status).toBe(200);
  return answer.body.results as any[];
}

/**
 * Sends the outbox until nothing is pending, moving the clock to each next try instead of
 * waiting: the backoff without the wall-clock time. Returns how far the clock moved.
 */
export async function drain(h: NotifyHarness, rounds = 20): Promise<number> {
  const start = h.clock.now().getTime();
  for (let round = 0; round < rounds; round++) {
    await h.faultline.deliveries.runDue();
    const pending = await deliveries(h, '&status=pending');
    if (pending.length === 0) return h.clock.now().getTime() - start;
    // Deliveries held behind an earlier one of their incident are due already; the earlier
    // one's next try is the first in the future.
    const now = h.clock.now().getTime();
    const later = pending
      .map((d) => Date.parse(d.next_attempt_at as string))
      .filter((t) => t > now);
    if (later.length === 0) throw new Error('pending deliveries that are due were not sent');
    h.clock.set(new Date(Math.min(...later)));
  }
  throw new Error(`deliveries still pending after ${rounds} rounds`);
}

/** The actions a receiver path was told, in the order they arrived. */
export function actionsAt(receiver: Receiver, path: string): string[] {
  return receiver.to(path).map((r) => String(r.body.action ?? r.body.event_action));
}

/**
 * The topology of the notification tests: `database` on db-host-01; orders-api and billing-api
 * depend on it; web-shop depends on orders-api. web-shop belongs to the application SHOP,
 * billing-api to BILL. `mail` on mail-01 shares nothing with them.
 */
export interface NotifyTopology {
  readonly source: any;
  readonly shop: any;
  readonly billing: any;
  readonly dbHost: any;
  readonly mailHost: any;
  readonly database: any;
  readonly ordersApi: any;
  readonly billingApi: any;
  readonly webShop: any;
  readonly mail: any;
}

export async function notifyTopology(h: Harness): Promise<NotifyTopology> {
  const shop = await create(h, APPS, { appcode: 'SHOP', name: 'Web shop', owner: 'sales' });
  const billing = await create(h, APPS, { appcode: 'BILL', name: 'Billing', owner: 'finance' });
  const dbHost = await device(h, 'db-host-01');
  const mailHost = await device(h, 'mail-01');
  const database = await service(h, 'database', { devices: [dbHost.id] });
  const ordersApi = await service(h, 'orders-api');
  const billingApi = await service(h, 'billing-api', { business_apps: [billing.id] });
  const webShop = await service(h, 'web-shop', { business_apps: [shop.id] });
  const mail = await service(h, 'mail', { devices: [mailHost.id] });
  await dependsOn(h, ordersApi, database);
  await dependsOn(h, billingApi, database);
  await dependsOn(h, webShop, ordersApi);
  const source = await eventSource(h);
  return {
    source,
    shop,
    billing,
    dbHost,
    mailHost,
    database,
    ordersApi,
    billingApi,
    webShop,
    mail,
  };
}

/** An alert on `target` (a device or a technical service) under `dedup`. */
export function alertOn(
  topology: NotifyTopology,
  dedup: string,
  target: any,
  extra: Partial<Alert> = {},
): Alert {
  const type = target.url.includes('/dcim/devices/') ? 'device' : 'technical_service';
  return { source: topology.source.id, dedup, on: [type, target.id], ...extra };
}

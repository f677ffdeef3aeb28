import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { PLUGIN, startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  at,
  create,
  incidents,
  send,
  shopTopology,
  type Alert,
  type ShopTopology,
} from './automation-fixtures.js';

const AUTOMATION = `${PLUGIN}/incident-automation`;

const ids = (items: ReadonlyArray<{ id: number }>) => items.map((i) => i.id);

describe.each(engines())('what the incident-automation endpoints count, on %s', (engine) => {
  let off: Harness;
  let on: Harness;
  let shop: ShopTopology;

  beforeAll(async () => {
    off = await startHarness(engine, { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' });
    on = await startHarness(engine);
  });
  afterAll(async () => {
    await off.close();
    await on.close();
  });

  const alert = (dedup: string, target: Alert['on'], extra: Partial<Alert> = {}): Alert => ({
    source: shop.source.id,
    dedup,
    on: target,
    ...extra,
  });
  const onDb = (dedup: string, extra: Partial<Alert> = {}) =>
    alert(dedup, ['device', shop.dbHost.id], extra);
  const onOrders = (dedup: string, extra: Partial<Alert> = {}) =>
    alert(dedup, ['technical_service', shop.ordersApi.id], extra);
  const onMail = (dedup: string) => alert(dedup, ['technical_service', shop.mail.id]);

  describe('with automatic processing switched off', () => {
    beforeEach(async () => {
      await off.reset();
      off.clock.set(START);
      shop = await shopTopology(off);
    });

    it('reports every unprocessed event of the window found, whatever the limit', async () => {
      await send(off, onDb('db-down'));
      await send(off, onOrders('orders-5xx'));
      await send(off, onMail('mail-queue'));

      const dry = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
        body: { limit: 1, dry_run: true },
      });
      const exact = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
        body: { limit: 3, dry_run: true },
      });

      expect(dry.body).toMatchObject({
        unprocessed_events_found: 3,
        events_processed: 1,
        limit: 1,
        message: 'Would process 1 of 3 unprocessed events',
      });
      expect(exact.body).toMatchObject({ unprocessed_events_found: 3, events_processed: 3 });
    });

    it('purges only incidents closed before the run, counting each incident once', async () => {
      const ended = { severity: 'high', resolved_at: at(-48 * 60) };
      const closed = await create(off, PATHS.incidents, {
        title: 'Old',
        status: 'closed',
        ...ended,
      });
      const resolved = await create(off, PATHS.incidents, {
        title: 'Done',
        status: 'resolved',
        ...ended,
      });

      const dry = await off.call('POST', `${AUTOMATION}/cleanup/`, {
        body: { purge: true, dry_run: true },
      });
      const real = await off.call('POST', `${AUTOMATION}/cleanup/`, { body: { purge: true } });

      for (const answer of [dry, real]) {
        expect(answer.status).toBe(200);
        expect(ids(answer.body.closed)).toEqual([resolved.id]);
        expect(ids(answer.body.purged_incidents)).toEqual([closed.id]);
      }
      const left = await incidents(off);
      expect(left.map((i) => [i.id, i.status])).toEqual([[resolved.id, 'closed']]);
      // Closed by the first run, it goes in the next.
      const next = await off.call('POST', `${AUTOMATION}/cleanup/`, { body: { purge: true } });
      expect(ids(next.body.purged_incidents)).toEqual([resolved.id]);
      expect(await incidents(off)).toEqual([]);
    });

    it('takes an empty JSON body for the defaults, here and nowhere else', async () => {
      await send(off, onDb('db-down'));

      // curl -X POST -H 'Content-Type: application/json' sends no length; `-d ''` a length 0.
      const noLength = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
        headers: { 'content-type': 'application/json' },
      });
      const others = [];
      for (const name of ['force-correlate', 'cleanup', 'process_unprocessed']) {
        others.push(await off.call('POST', `${AUTOMATION}/${name}/`, { payload: '' }));
      }
      const event = await off.call('POST', `${AUTOMATION}/process-event/`, { payload: '' });
      const malformed = await off.call('POST', `${AUTOMATION}/cleanup/`, { payload: '{' });
      const elsewhere = await off.call('POST', PATHS.incidents, { payload: '' });

      expect(noLength.status).toBe(200);
      expect(noLength.body).toMatchObject({ time_window_hours: 24, events_processed: 1 });
      expect(others.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(others[0]!.body).toMatchObject({ dry_run: false, time_window_hours: 24 });
      expect(event.status).toBe(400);
      expect(event.body).toEqual({ event_id: ['This field is required.'] });
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toMatch(/^JSON parse error/);
      // Elsewhere an empty body is no body: refused where one is needed.
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got null.'],
      });
    });
  });

  describe('with automatic processing on', () => {
    beforeEach(async () => {
      await on.reset();
      on.clock.set(at(300));
      shop = await shopTopology(on);
    });

    it('counts a creation in score_distribution by its best candidate', async () => {
      const db = await send(on, onDb('db-down', { time: START }));
      // Two hours later, related by dependency only: 0.24, below the threshold of 0.3.
      const orders = await send(
        on,
        onOrders('orders-5xx', { criticality: 'critical', time: at(120) }),
      );
      expect(orders.correlation).toMatchObject({
        action: 'created',
        score: 0.24,
        candidates: [{ incident_id: db.correlation.incident_id, score: 0.24 }],
      });

      const answer = await on.call('GET', `${AUTOMATION}/correlation-analysis/`);

      expect(answer.body.correlation_threshold).toBe(0.3);
      // The first creation had no candidate at all: it counts in 0.0-0.1.
      expect(answer.body.score_distribution).toMatchObject({ '0.0-0.1': 1, '0.2-0.3': 1 });
      const counts = Object.values(answer.body.score_distribution) as number[];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    });
  });
});

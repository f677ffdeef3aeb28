import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { START, at, send } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import {
  NOTIFY_ON,
  SECRET,
  alertOn,
  deliveries,
  drain,
  expectSigned,
  notifyTopology,
  signedHook,
  type NotifyTopology,
} from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';
import { Receiver, type Received } from './receiver.js';

/** START plus `ms` milliseconds, as ISO 8601. */
const plus = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

const idOf = (request: Received) => request.headers['x-faultline-delivery'];

describe.each(engines())('webhook delivery and retries on %s', (engine) => {
  let h: NotifyHarness;
  let topology: NotifyTopology;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, signedHook, { timeoutMs: 250 });
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    topology = await notifyTopology(h);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Opens an incident with an alert on the database host: one delivery, `created`. */
  const openIncident = async () => {
    const event = await send(h, alertOn(topology, 'db-down', topology.dbHost));
    return event.correlation.incident_id as number;
  };
  const run = () => h.faultline.deliveries.runDue();
  const only = async () => {
    const rows = await deliveries(h);
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  it('retries 5xx answers after 1 s, 2 s and 4 s and delivers once, same id each time', async () => {
    h.receiver.failFirst(3, 503);
    await openIncident();

    expect(await run()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(await only()).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'HTTP 503: {}',
      next_attempt_at: plus(1000),
      delivered_at: null,
    });
    h.clock.advance(999);
    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    h.clock.advance(1);
    expect(await run()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(await only()).toMatchObject({ attempts: 2, next_attempt_at: plus(3000) });
    h.clock.advance(2000);
    await run();
    expect(await only()).toMatchObject({ attempts: 3, next_attempt_at: plus(7000) });
    h.clock.advance(4000);
    expect(await run()).toEqual({ delivered: 1, retrying: 0, failed: 0 });

    const requests = h.receiver.to('/hook');
    expect(requests).toHaveLength(4);
    const row = await only();
    expect(new Set(requests.map(idOf))).toEqual(new Set([row.delivery_id]));
    expect(new Set(requests.map((r) => r.raw)).size).toBe(1);
    requests.forEach((r) => expectSigned(r));
    expect(row).toMatchObject({
      status: 'delivered',
      attempts: 4,
      last_error: null,
      next_attempt_at: null,
      delivered_at: plus(7000),
    });
    h.clock.advance(86_400_000);
    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(h.receiver.requests).toHaveLength(4);
  });

  it('waits as long as a 429 answer asks before trying again', async () => {
    h.receiver.respond((_request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '30' }, body: '{"error": "slow down"}' }
        : { status: 202 },
    );
    await openIncident();

    await run();
    expect(await only()).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'HTTP 429: {"error": "slow down"}',
      next_attempt_at: plus(30_000),
    });
    h.clock.advance(29_999);
    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    h.clock.advance(1);
    expect(await run()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(h.receiver.requests).toHaveLength(2);
  });

  it.each([400, 401, 404, 410, 422])('gives up at once on HTTP %i', async (status) => {
    h.receiver.respond(() => ({ status, body: 'no such hook' }));
    await openIncident();

    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    h.clock.advance(3_600_000);
    await run();

    expect(h.receiver.requests).toHaveLength(1);
    expect(await only()).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: `HTTP ${status}: no such hook`,
      next_attempt_at: null,
      delivered_at: null,
    });
  });

  it('does not follow a redirect and gives up on it', async () => {
    h.receiver.respond(() => ({ status: 301, headers: { location: 'http://127.0.0.1:1/' } }));
    await openIncident();

    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect((await only()).last_error).toBe('HTTP 301: {} (redirects are not followed)');
  });

  it('retries a receiver that hangs past the timeout', async () => {
    h.receiver.respond((_request, index) => (index === 0 ? 'hang' : { status: 200 }));
    await openIncident();

    const started = Date.now();
    expect(await run()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(await only()).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'timeout: no answer within 250 ms',
      next_attempt_at: plus(1000),
    });
    h.clock.advance(1000);
    expect(await run()).toEqual({ delivered: 1, retrying: 0, failed: 0 });

    const requests = h.receiver.to('/hook');
    expect(requests).toHaveLength(2);
    expect(idOf(requests[1]!)).toBe(idOf(requests[0]!));
  });

  it('gives up after the tenth failed attempt, having waited 1 s doubling each time', async () => {
    h.receiver.respond(() => ({ status: 500, body: 'boom' }));
    await openIncident();

    const waits: number[] = [];
    for (let attempt = 1; attempt < 10; attempt++) {
      await run();
      const row = await only();
      expect(row).toMatchObject({ status: 'pending', attempts: attempt });
      const wait = Date.parse(row.next_attempt_at) - h.clock.now().getTime();
      waits.push(wait);
      h.clock.advance(wait);
    }
    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 1 });

    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256].map((s) => s * 1000));
    expect(await only()).toMatchObject({
      status: 'failed',
      attempts: 10,
      last_error: 'gave up after 10 attempts: HTTP 500: boom',
      next_attempt_at: null,
    });
    h.clock.advance(86_400_000);
    await run();
    expect(h.receiver.requests).toHaveLength(10);
    expect(new Set(h.receiver.requests.map(idOf)).size).toBe(1);
  });

  it('holds later news of an incident until the earlier one is delivered', async () => {
    h.receiver.failFirst(2, 502);
    await openIncident();
    await run();

    await send(h, alertOn(topology, 'orders-5xx', topology.ordersApi));
    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    h.clock.advance(1000);
    expect(await run()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    h.clock.advance(2000);
    expect(await run()).toEqual({ delivered: 2, retrying: 0, failed: 0 });

    expect(h.receiver.requests.map((r) => r.body.action)).toEqual([
      'created',
      'created',
      'created',
      'updated',
    ]);
  });

  it('sends after a restart what was retrying before it, with the same id and signature', async () => {
    h.receiver.failFirst(1, 503);
    await openIncident();
    await run();

    await h.restart();
    h.clock.advance(1000);
    expect(await run()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    await h.restart();
    h.clock.advance(86_400_000);
    expect(await run()).toEqual({ delivered: 0, retrying: 0, failed: 0 });

    const [first, second] = h.receiver.to('/hook');
    expect(h.receiver.requests).toHaveLength(2);
    expect(idOf(second!)).toBe(idOf(first!));
    expect(second!.raw).toBe(first!.raw);
    expectSigned(first!);
    expectSigned(second!);
    expect(await only()).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('sends after a restart what was queued and never tried, from the background loop', async () => {
    const id = await openIncident();
    await send(h, alertOn(topology, 'orders-5xx', topology.ordersApi));

    await h.restart();
    h.faultline.deliveries.start();
    await vi.waitFor(() => expect(h.receiver.requests).toHaveLength(2), { timeout: 5000 });
    await h.faultline.deliveries.stop();

    expect(h.receiver.requests.map((r) => [r.body.action, r.body.incident.id])).toEqual([
      ['created', id],
      ['updated', id],
    ]);
    expect((await deliveries(h)).map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });

  it('delivers a change made while the loop runs without waiting for the next poll', async () => {
    h.faultline.deliveries.start();
    const started = Date.now();
    await openIncident();
    await vi.waitFor(() => expect(h.receiver.requests).toHaveLength(1), { timeout: 5000 });
    await h.faultline.deliveries.stop();

    // The loop polls every second; a wake-up after the commit sends well before that.
    expect(Date.now() - started).toBeLessThan(900);
    expect(h.receiver.requests[0]!.body.action).toBe('created');
  });

  it('delivers every notification of a flow once through a receiver that fails each first try', async () => {
    const failures = [
      { status: 503 },
      { status: 429 },
      'hang' as const,
      { status: 500 },
      { status: 504 },
    ];
    const seen = new Map<string, number>();
    const succeeded: string[] = [];
    h.receiver.respond((request) => {
      const id = String(idOf(request));
      const tries = seen.get(id) ?? 0;
      seen.set(id, tries + 1);
      if (tries > 0) {
        succeeded.push(id);
        return { status: 200 };
      }
      return failures[seen.size % failures.length]!;
    });
    await openIncident();
    await send(h, alertOn(topology, 'orders-5xx', topology.ordersApi));
    h.clock.set(at(5));
    await send(h, alertOn(topology, 'db-down', topology.dbHost, { status: 'ok' }));
    await send(h, alertOn(topology, 'orders-5xx', topology.ordersApi, { status: 'ok' }));
    h.clock.set(at(10));
    await send(h, alertOn(topology, 'db-down', topology.dbHost));

    await drain(h);
    h.clock.advance(86_400_000);
    await drain(h);

    const rows = await deliveries(h, '&ordering=id');
    expect(rows.map((r) => [r.action, r.status, r.attempts])).toEqual([
      ['created', 'delivered', 2],
      ['updated', 'delivered', 2],
      ['resolved', 'delivered', 2],
      ['reopened', 'delivered', 2],
    ]);
    expect(succeeded).toEqual(rows.map((r) => r.delivery_id));
    expect(h.receiver.requests).toHaveLength(8);
    h.receiver.requests.forEach((r) => expectSigned(r));
  });
});

describe.each(engines())('a webhook receiver that is down on %s', (engine) => {
  let h: NotifyHarness;
  let port: number;
  beforeAll(async () => {
    // A port that was just free: nothing listens there until the test starts a receiver on it.
    const gone = await Receiver.start();
    port = gone.port;
    await gone.close();
    h = await startNotifyHarness(engine, () => ({
      ...NOTIFY_ON,
      BUSINESS_APP_NOTIFICATION_WEBHOOKS: JSON.stringify([
        { url: `http://127.0.0.1:${port}/hook`, secret: SECRET },
      ]),
    }));
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
  });
  afterAll(async () => {
    await h.close();
  });

  it('retries connection errors until the receiver listens again', async () => {
    const topology = await notifyTopology(h);
    await send(h, alertOn(topology, 'db-down', topology.dbHost));

    expect(await h.faultline.deliveries.runDue()).toEqual({
      delivered: 0,
      retrying: 1,
      failed: 0,
    });
    h.clock.advance(1000);
    await h.faultline.deliveries.runDue();
    const [failing] = await deliveries(h);
    const back = await Receiver.start(port);
    h.clock.advance(2000);
    const last = await h.faultline.deliveries.runDue();
    await back.close();

    expect(failing).toMatchObject({
      status: 'pending',
      attempts: 2,
      last_error: 'connection error: ECONNREFUSED',
      next_attempt_at: plus(3000),
    });
    expect(last).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(back.requests).toHaveLength(1);
    expect(idOf(back.requests[0]!)).toBe(failing.delivery_id);
    expectSigned(back.requests[0]!);
    expect((await deliveries(h))[0]).toMatchObject({ status: 'delivered', attempts: 3 });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { PLUGIN, startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  at,
  create,
  dependsOn,
  incidents,
  read,
  record,
  send,
  service,
  shopTopology,
  timelineKinds,
  type Alert,
  type ShopTopology,
} from './automation-fixtures.js';

const AUTOMATION = `${PLUGIN}/incident-automation`;

/** Automatic processing off: events wait for manual processing. */
const OFF = { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' };

describe.each(engines())('incident-automation endpoints on %s', (engine) => {
  let off: Harness;
  let on: Harness;
  let shop: ShopTopology;

  beforeAll(async () => {
    off = await startHarness(engine, OFF);
    on = await startHarness(engine, { BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY: 'medium' });
  });
  afterAll(async () => {
    await off.close();
    await on.close();
  });

  const onDb = (dedup: string, extra: Partial<Alert> = {}): Alert => ({
    source: shop.source.id,
    dedup,
    on: ['device', shop.dbHost.id],
    ...extra,
  });
  const onOrders = (dedup: string, extra: Partial<Alert> = {}): Alert => ({
    source: shop.source.id,
    dedup,
    on: ['technical_service', shop.ordersApi.id],
    ...extra,
  });
  const onMail = (dedup: string, extra: Partial<Alert> = {}): Alert => ({
    source: shop.source.id,
    dedup,
    on: ['technical_service', shop.mail.id],
    ...extra,
  });

  describe('with automatic processing switched off', () => {
    beforeEach(async () => {
      await off.reset();
      off.clock.set(START);
      shop = await shopTopology(off);
    });

    it('reports the real settings and the backlog in status/', async () => {
      await send(off, onDb('db-down'));
      await send(off, onMail('mail-queue', { criticality: 'low' }));
      await send(off, onOrders('orders-ok', { status: 'ok' }));

      const answer = await off.call('GET', `${AUTOMATION}/status/`, { token: off.readToken });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        automation_enabled: false,
        auto_resolve_enabled: false,
        notifications_enabled: false,
        correlation_window_minutes: 15,
        correlation_threshold: 0.3,
        max_dependency_depth: 5,
        events_last_24h: 3,
        incidents_last_24h: 0,
        open_incidents: 0,
        unprocessed_events: 2,
        recent_incident_trend: { last_24h: 0, previous_24h: 0 },
        configuration_valid: true,
        issues: [],
      });
    });

    it('processes one event on request, under both spellings of the path', async () => {
      const db = await send(off, onDb('db-down'));
      const orders = await send(off, onOrders('orders-5xx'));
      expect(db.incidents).toEqual([]);

      const first = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: db.id },
      });
      const second = await off.call('POST', `${AUTOMATION}/process_event/`, {
        body: { event_id: orders.id },
      });

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        success: true,
        action: 'created',
        incident_id: expect.any(Number),
        incident_title: expect.stringContaining('database'),
        correlation: { action: 'created' },
      });
      expect(second.body).toMatchObject({
        action: 'joined',
        incident_id: first.body.incident_id,
        correlation: { action: 'joined', score: expect.any(Number) },
      });
      const [incident] = await incidents(off);
      expect(incident.events.map((e: any) => e.id).sort()).toEqual([db.id, orders.id].sort());
    });

    it('takes no action for an event that is cleared or already in an incident', async () => {
      const ok = await send(off, onOrders('orders-ok', { status: 'ok' }));
      const db = await send(off, onDb('db-down'));
      await off.call('POST', `${AUTOMATION}/process-event/`, { body: { event_id: db.id } });

      const cleared = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: ok.id },
      });
      const again = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: db.id },
      });

      expect(cleared.body).toMatchObject({
        action: 'none',
        incident_id: null,
        reason: 'status ok',
      });
      expect(again.body).toMatchObject({
        action: 'none',
        reason: expect.stringMatching(/^already/),
      });
      expect(await incidents(off)).toHaveLength(1);
    });

    it('shows what processing would do in a dry run and changes nothing', async () => {
      const db = await send(off, onDb('db-down'));

      const dry = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: db.id, dry_run: true },
      });
      const status = await off.call('GET', `${AUTOMATION}/status/`);

      expect(dry.body).toMatchObject({ dry_run: true, action: 'created' });
      expect(await incidents(off)).toEqual([]);
      expect((await read(off, PATHS.events, db.id)).correlation).toMatchObject({
        action: 'skipped',
        reason: 'automation disabled',
      });
      expect(status.body.unprocessed_events).toBe(1);
      // The memory followed the rolled-back preview back: the real run still creates.
      const real = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: db.id },
      });
      expect(real.body).toMatchObject({ dry_run: false, action: 'created' });
      expect(await incidents(off)).toHaveLength(1);
    });

    it('answers a missing, malformed or unknown event id with 400 or 404', async () => {
      const missing = await off.call('POST', `${AUTOMATION}/process-event/`, { body: {} });
      const text = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: 'seven' },
      });
      const fraction = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: 1.5 },
      });
      const unknown = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: 999 },
      });
      // Beyond what an id column holds: refused before any SQL (PostgreSQL would fail on it).
      const huge = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: 2 ** 31 },
      });

      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ event_id: ['This field is required.'] });
      expect(text.status).toBe(400);
      expect(text.body.event_id).toBeDefined();
      expect(fraction.status).toBe(400);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ detail: 'Event 999 not found' });
      expect(huge.status).toBe(400);
      expect(huge.body.event_id).toBeDefined();
    });

    it('needs a write token to process and any token to read', async () => {
      const db = await send(off, onDb('db-down'));
      const read = await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: db.id },
        token: off.readToken,
      });
      const anonymous = await off.call('GET', `${AUTOMATION}/status/`, { token: null });

      expect(read.status).toBe(403);
      expect(anonymous.status).toBe(401);
      expect(await incidents(off)).toEqual([]);
    });

    it('processes the unprocessed events of the window, oldest first, within a limit', async () => {
      off.clock.set(at(-180));
      await send(off, onMail('old-mail'));
      off.clock.set(START);
      await send(off, onDb('db-down'));
      await send(off, onOrders('orders-5xx'));
      await send(off, onMail('mail-queue'));

      const limited = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
        body: { hours: 1, limit: 2 },
      });
      const rest = await off.call('POST', `${AUTOMATION}/process_unprocessed/`, {
        body: { hours: 1 },
      });

      // Found counts the whole window; the limit caps only what is processed.
      expect(limited.body).toMatchObject({
        success: true,
        unprocessed_events_found: 3,
        events_processed: 2,
        created: 1,
        joined: 1,
        errors: 0,
        time_window_hours: 1,
        limit: 2,
        message: 'Processed 2 of 3 unprocessed events',
      });
      expect(rest.body).toMatchObject({ unprocessed_events_found: 1, created: 1, errors: 0 });
      const status = await off.call('GET', `${AUTOMATION}/status/`);
      expect(status.body.unprocessed_events).toBe(1);
      expect(status.body.last_processed_at).toBe(START);
    });

    it('counts events left out while automation was off in correlation-analysis', async () => {
      await send(off, onDb('db-down'));
      await send(off, onOrders('orders-5xx'));

      const answer = await off.call('GET', `${AUTOMATION}/correlation-analysis/`);

      expect(answer.body).toMatchObject({
        time_window_hours: 24,
        total_events: 2,
        correlated_events: 0,
        noise_reduction: 0,
        uncorrelated_events: { total: 2, automation_disabled: 2 },
        unprocessed_events: 2,
      });
    });

    it('moves old monitoring incidents on through cleanup/, dry run first', async () => {
      const incident = await create(off, PATHS.incidents, {
        title: 'Database down',
        status: 'monitoring',
        severity: 'high',
        resolved_at: at(-48 * 60),
      });

      const dry = await off.call('POST', `${AUTOMATION}/cleanup/`, {
        body: { hours: 24, dry_run: true },
      });
      const unchanged = await read(off, PATHS.incidents, incident.id);
      const real = await off.call('POST', `${AUTOMATION}/cleanup/`, { body: { hours: 24 } });

      expect(dry.body).toMatchObject({
        dry_run: true,
        resolved: [{ id: incident.id, title: 'Database down' }],
        closed: [],
      });
      expect(unchanged.status).toBe('monitoring');
      expect(real.body).toMatchObject({ dry_run: false, resolved: [{ id: incident.id }] });
      expect((await read(off, PATHS.incidents, incident.id)).status).toBe('resolved');
      expect(await timelineKinds(off, incident.id)).toContain('cleanup');
    });

    it('counts what a batch would do in a dry run and changes nothing', async () => {
      await send(off, onDb('db-down'));
      await send(off, onOrders('orders-5xx'));

      const dry = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
        body: { dry_run: true },
      });

      expect(dry.body).toMatchObject({
        dry_run: true,
        message: 'Would process 2 of 2 unprocessed events',
        created: 1,
        joined: 1,
      });
      expect(await incidents(off)).toEqual([]);
      const status = await off.call('GET', `${AUTOMATION}/status/`);
      expect(status.body.unprocessed_events).toBe(2);
    });

    it('refuses bad input to force-correlate and cleanup, naming the field', async () => {
      const cases: Array<[string, unknown, string]> = [
        ['force-correlate', { hours: 200 }, 'hours'],
        ['force-correlate', { incident_ids: [] }, 'incident_ids'],
        ['force-correlate', { incident_ids: ['x'] }, 'incident_ids'],
        ['force-correlate', { dry_run: 'maybe' }, 'dry_run'],
        ['cleanup', { hours: 0 }, 'hours'],
        ['cleanup', { purge: 'yes' }, 'purge'],
      ];
      for (const [path, body, field] of cases) {
        const answer = await off.call('POST', `${AUTOMATION}/${path}/`, { body });
        expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        expect(Object.keys(answer.body)).toEqual([field]);
      }
    });

    it('processes the last 24 hours when POSTed without a body', async () => {
      await send(off, onDb('db-down'));
      const answer = await off.call('POST', `${AUTOMATION}/process-unprocessed/`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ time_window_hours: 24, events_processed: 1 });
    });

    it('refuses hours outside 1..168 or not whole', async () => {
      for (const hours of [0, 169, 'day', 2.5]) {
        const answer = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
          body: { hours },
        });
        expect(answer.status, `hours ${hours}`).toBe(400);
        expect(Object.keys(answer.body)).toEqual(['hours']);
      }
      const typo = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, {
        body: { hour: 2 },
      });
      expect(typo.status).toBe(400);
      expect(Object.keys(typo.body)).toEqual(['hour']);
    });
  });

  describe('with automatic processing on', () => {
    beforeEach(async () => {
      await on.reset();
      on.clock.set(START);
      shop = await shopTopology(on);
    });

    it('regroups events once the dependency that relates them is known', async () => {
      const a = await service(on, 'payments');
      const b = await service(on, 'checkout');
      const first = await send(on, {
        source: shop.source.id,
        dedup: 'pay',
        on: ['technical_service', a.id],
      });
      on.clock.set(at(1));
      const second = await send(on, {
        source: shop.source.id,
        dedup: 'chk',
        on: ['technical_service', b.id],
      });
      expect(first.incidents[0].id).not.toBe(second.incidents[0].id);
      await dependsOn(on, b, a);

      const dry = await on.call('POST', `${AUTOMATION}/force-correlate/`, {
        body: { hours: 2, dry_run: true },
      });
      expect(dry.body).toMatchObject({
        dry_run: true,
        total_events_reprocessed: 2,
        incidents_before: 2,
        incidents_after: 1,
        events_moved: 1,
        removed_incidents: [second.incidents[0].id],
        after: [{ incident_id: first.incidents[0].id, event_ids: [first.id, second.id] }],
      });
      expect((await incidents(on)).map((i) => i.events.length)).toEqual([1, 1]);

      const real = await on.call('POST', `${AUTOMATION}/force_correlate/`, { body: { hours: 2 } });
      expect(real.body).toMatchObject({
        success: true,
        message: 'Force correlation completed',
        dry_run: false,
        incidents_after: 1,
        removed_incidents: [second.incidents[0].id],
      });
      const after = await incidents(on);
      expect(after).toHaveLength(1);
      expect(after[0].id).toBe(first.incidents[0].id);
      expect(after[0].events.map((e: any) => e.id).sort()).toEqual([first.id, second.id].sort());
      expect(await timelineKinds(on, after[0].id)).toContain('regrouped');
    });

    it('keeps incidents, ids and status when the grouping does not change', async () => {
      await send(on, onDb('db-down'));
      await send(on, onOrders('orders-5xx'));
      await send(on, onMail('mail-queue'));
      const before = await incidents(on);
      await on.call('PATCH', `${PATHS.incidents}${before[0].id}/`, {
        body: { status: 'investigating', commander: 'Kim' },
      });

      const answer = await on.call('POST', `${AUTOMATION}/force-correlate/`, { body: {} });

      expect(answer.body).toMatchObject({ events_moved: 0, removed_incidents: [] });
      const after = await incidents(on);
      expect(after.map((i) => i.id)).toEqual(before.map((i) => i.id));
      expect(after[0]).toMatchObject({ status: 'investigating', commander: 'Kim' });
      expect(after.map((i) => i.events.length)).toEqual(before.map((i) => i.events.length));
    });

    it('never touches an incident a person created, nor its events', async () => {
      const db = await send(on, onDb('db-down'));
      const orders = await send(on, onOrders('orders-5xx'));
      const incident = db.incidents[0].id;
      const split = await on.call('POST', `${PATHS.incidents}${incident}/split/`, {
        body: { event_ids: [orders.id] },
      });
      const manual = split.body.new_incident_id;

      const all = await on.call('POST', `${AUTOMATION}/force-correlate/`, { body: {} });
      const named = await on.call('POST', `${AUTOMATION}/force-correlate/`, {
        body: { incident_ids: [manual] },
      });
      const unknown = await on.call('POST', `${AUTOMATION}/force-correlate/`, {
        body: { incident_ids: [4242] },
      });

      expect(all.body.total_events_reprocessed).toBe(1);
      expect(named.status).toBe(400);
      expect(named.body.incident_ids[0]).toMatch(/created by a person/);
      expect(unknown.status).toBe(400);
      expect(unknown.body.incident_ids[0]).toMatch(/does not exist/);
      const kept = await read(on, PATHS.incidents, manual);
      expect(kept.events.map((e: any) => e.id)).toEqual([orders.id]);
      expect(kept.status).toBe('new');
    });

    it('analyses how the events of the window were grouped and why others were not', async () => {
      await send(on, onDb('db-down', { criticality: 'critical' }));
      await send(on, onOrders('orders-5xx'));
      await send(on, onMail('mail-queue', { criticality: 'low' }));
      await send(on, onMail('mail-ok', { status: 'ok' }));
      await record(on, { dedupId: 'ghost', target: { type: 'device', identifier: 'nowhere-01' } });
      await create(on, PATHS.maintenance, {
        status: 'started',
        description: 'Mail upgrade',
        planned_start: at(-5),
        planned_end: at(60),
        contact: 'ops@example.com',
        object_type: 'technical_service',
        object_id: shop.mail.id,
      });
      await send(on, onMail('mail-5xx'));

      const answer = await on.call('GET', `${AUTOMATION}/correlation-analysis/?hours=24`);

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        time_window_hours: 24,
        total_events: 6,
        total_incidents: 1,
        correlated_events: 2,
        noise_reduction: 0.5,
        events_per_incident: { '2': 1 },
        correlation_patterns: [{ event_count: 2 }],
        uncorrelated_events: {
          total: 4,
          unknown_target: 1,
          below_minimum_severity: 1,
          suppressed_by_maintenance: 1,
          not_firing: 1,
          automation_disabled: 0,
        },
        top_services: expect.arrayContaining([
          expect.objectContaining({ name: 'database', incident_count: 1 }),
        ]),
      });
      // Both decisions: the creation (no candidate, in 0.0) and the join.
      const scores = Object.values(answer.body.score_distribution) as number[];
      expect(scores.reduce((a, b) => a + b, 0)).toBe(2);
      expect(answer.body.score_distribution['0.0-0.1']).toBe(1);
      expect(Object.keys(answer.body.score_distribution)).toHaveLength(10);
    });

    it('answers a bad hours in correlation-analysis with 400', async () => {
      for (const hours of ['abc', '0', '1.5']) {
        const answer = await on.call('GET', `${AUTOMATION}/correlation_analysis/?hours=${hours}`);
        expect(answer.status, `hours=${hours}`).toBe(400);
        expect(Object.keys(answer.body)).toEqual(['hours']);
      }
    });
  });
});

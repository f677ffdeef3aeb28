import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  at,
  dependsOn,
  incidents,
  read,
  send,
  service,
  shopTopology,
  timelineKinds,
  type ShopTopology,
} from './automation-fixtures.js';

/** A harness per suite with `env`, reset with the shop topology before each test. */
function useShop(engine: Parameters<typeof startHarness>[0], env: Record<string, string>) {
  const context = {} as { h: Harness; shop: ShopTopology };
  beforeAll(async () => {
    context.h = await startHarness(engine, env);
  });
  beforeEach(async () => {
    await context.h.reset();
    context.h.clock.set(START);
    context.shop = await shopTopology(context.h);
  });
  afterAll(async () => {
    await context.h.close();
  });
  return context;
}

describe.each(engines())('automation settings on %s', (engine) => {
  describe('BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY=high', () => {
    const c = useShop(engine, { BUSINESS_APP_REQUIRE_MINIMUM_SEVERITY: 'high' });

    it('skips an alert below the minimum and correlates it once it is raised', async () => {
      const { h, shop } = c;
      const on: [string, number] = ['device', shop.dbHost.id];
      const alert = { source: shop.source.id, dedup: 'db-slow', on };

      const medium = await send(h, { ...alert, criticality: 'medium' });
      expect(medium.correlation).toMatchObject({
        action: 'skipped',
        reason: 'below minimum severity high',
        incident_id: null,
      });
      expect(await incidents(h)).toEqual([]);

      const raised = await send(h, { ...alert, criticality: 'high' });

      expect(raised).toMatchObject({ id: medium.id, occurrences: 2 });
      expect(raised.correlation).toMatchObject({ action: 'created' });
      const [incident] = await incidents(h);
      expect(incident).toMatchObject({ severity: 'high' });
    });

    it('lets a critical alert through', async () => {
      const { h, shop } = c;

      const critical = await send(h, {
        source: shop.source.id,
        dedup: 'db-down',
        on: ['device', shop.dbHost.id],
        criticality: 'critical',
      });

      expect(critical.correlation).toMatchObject({ action: 'created' });
    });
  });

  describe('BUSINESS_APP_AUTO_INCIDENTS_ENABLED=false', () => {
    const c = useShop(engine, { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' });

    it('stores alerts but opens no incident, saying automation is disabled', async () => {
      const { h, shop } = c;

      const event = await send(h, {
        source: shop.source.id,
        dedup: 'db-down',
        on: ['device', shop.dbHost.id],
        criticality: 'critical',
      });

      expect(event).toMatchObject({
        status: 'triggered',
        is_valid: true,
        incidents: [],
        correlation: { action: 'skipped', reason: 'automation disabled', incident_id: null },
      });
      expect(await incidents(h)).toEqual([]);
    });
  });

  describe('BUSINESS_APP_AUTO_RESOLVE_INCIDENTS off (the default)', () => {
    const c = useShop(engine, {});

    it('leaves an incident open when all its alerts are ok', async () => {
      const { h, shop } = c;
      const on: [string, number] = ['device', shop.dbHost.id];
      const alert = { source: shop.source.id, dedup: 'db-down', on };
      const firing = await send(h, alert);
      const id = firing.correlation.incident_id;
      h.clock.set(at(5));

      const ok = await send(h, { ...alert, status: 'ok' });

      expect(ok.status).toBe('ok');
      expect(await read(h, PATHS.incidents, id)).toMatchObject({
        status: 'new',
        resolved_at: null,
      });
      expect(await timelineKinds(h, id)).toEqual(['opened']);

      h.clock.set(at(40));
      const next = await send(h, {
        source: shop.source.id,
        dedup: 'orders-5xx',
        on: ['technical_service', shop.ordersApi.id],
      });
      expect(next.correlation).toMatchObject({ action: 'joined', incident_id: id });
    });
  });

  describe('BUSINESS_APP_MAX_DEPENDENCY_DEPTH=2 and BUSINESS_APP_CORRELATION_THRESHOLD=0.4', () => {
    const c = useShop(engine, {
      BUSINESS_APP_MAX_DEPENDENCY_DEPTH: '2',
      BUSINESS_APP_CORRELATION_THRESHOLD: '0.4',
    });

    it('keeps failures apart whose only common upstream is beyond the depth', async () => {
      const { h, shop } = c;
      const core = await service(h, 'core-network');
      // smtp → mail-relay → net-a → core-network and dns → resolver → net-b → core-network.
      const chain = async (names: string[]) => {
        const services = [];
        for (const name of names) services.push(await service(h, name));
        const [first, ...rest] = [...services, core];
        let below = first;
        for (const above of rest) {
          await dependsOn(h, below, above);
          below = above;
        }
        return services[0];
      };
      const mail = await chain(['smtp', 'mail-relay', 'net-a']);
      const dns = await chain(['dns', 'resolver', 'net-b']);

      const a = await send(h, {
        source: shop.source.id,
        dedup: 'a',
        on: ['technical_service', mail.id],
      });
      const b = await send(h, {
        source: shop.source.id,
        dedup: 'b',
        on: ['technical_service', dns.id],
      });

      expect(a.correlation.action).toBe('created');
      // No candidate at all: within 2 hops the two failures share nothing.
      expect(b.correlation).toMatchObject({ action: 'created', candidates: [] });
      expect(await incidents(h)).toHaveLength(2);
    });

    it('keeps a dependency beyond the depth from relating two alerts', async () => {
      const { h, shop } = c;
      const cache = await service(h, 'cache');
      await dependsOn(h, cache, shop.webShop);
      const alert = (dedup: string, target: any, criticality: string) => ({
        source: shop.source.id,
        dedup,
        on: ['technical_service', target.id] as [string, number],
        criticality,
      });

      const db = await send(h, alert('db', shop.database, 'high'));
      const far = await send(h, alert('cache', cache, 'critical'));
      const near = await send(h, alert('shop', shop.webShop, 'high'));

      // cache → web-shop → orders-api → database is 3 hops; web-shop → … → database is 2.
      expect(far.correlation).toMatchObject({ action: 'created', candidates: [] });
      expect(near.correlation).toMatchObject({
        action: 'joined',
        incident_id: db.correlation.incident_id,
        score: 0.58,
        relation: 'web-shop depends on database',
        candidates: [
          { incident_id: db.correlation.incident_id, score: 0.58 },
          { incident_id: far.correlation.incident_id, score: 0.48 },
        ],
      });
    });

    it('does not join siblings that only share an upstream at threshold 0.4', async () => {
      const { h, shop } = c;
      const orders = await send(h, {
        source: shop.source.id,
        dedup: 'o',
        on: ['technical_service', shop.ordersApi.id],
        criticality: 'critical',
      });

      const billing = await send(h, {
        source: shop.source.id,
        dedup: 'b',
        on: ['technical_service', shop.billingApi.id],
      });

      expect(billing.correlation).toMatchObject({
        action: 'created',
        candidates: [{ incident_id: orders.correlation.incident_id, score: 0.3 }],
      });
      expect(await incidents(h)).toHaveLength(2);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  at,
  create,
  dependsOn,
  ids,
  incidents,
  names,
  send,
  service,
  shopTopology,
  type ShopTopology,
} from './automation-fixtures.js';

const PLUGIN_MODE = { BUSINESS_APP_CORRELATION_MODE: 'plugin' };

/** A plugin-mode harness per suite with `env`, reset with the shop topology before each test. */
function usePluginShop(engine: Parameters<typeof startHarness>[0], env = {}) {
  const context = {} as { h: Harness; shop: ShopTopology };
  beforeAll(async () => {
    context.h = await startHarness(engine, { ...PLUGIN_MODE, ...env });
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

type Target = 'dbHost' | 'database' | 'ordersApi' | 'billingApi';

/** The object an alert of the worked numbers is on, in the shop topology. */
function on(shop: ShopTopology, target: Target): [string, number] {
  return target === 'dbHost' ? ['device', shop.dbHost.id] : ['technical_service', shop[target].id];
}

/** One worked number of the issue: a first alert, a second one `gap` minutes later. */
interface WorkedCase {
  readonly case: string;
  readonly first: Target;
  readonly second: Target;
  readonly criticality: string;
  readonly gap: number;
  readonly score: number;
  readonly action: 'joined' | 'created';
}

const WORKED: readonly WorkedCase[] = [
  {
    case: 'same service plus a shared device (capped from 1.8)',
    first: 'dbHost',
    second: 'dbHost',
    criticality: 'critical',
    gap: 1,
    score: 1,
    action: 'joined',
  },
  {
    case: 'a direct dependency only',
    first: 'dbHost',
    second: 'ordersApi',
    criticality: 'critical',
    gap: 1,
    score: 0.48,
    action: 'joined',
  },
  {
    case: 'a direct dependency with equal severities',
    first: 'dbHost',
    second: 'ordersApi',
    criticality: 'high',
    gap: 1,
    score: 0.58,
    action: 'joined',
  },
  {
    case: 'siblings sharing an upstream only',
    first: 'ordersApi',
    second: 'billingApi',
    criticality: 'critical',
    gap: 1,
    score: 0.3,
    action: 'joined',
  },
  {
    case: 'the same service without a shared device, two hours later',
    first: 'dbHost',
    second: 'database',
    criticality: 'critical',
    gap: 120,
    score: 0.7,
    action: 'joined',
  },
  {
    case: 'a direct dependency only, two hours later',
    first: 'dbHost',
    second: 'ordersApi',
    criticality: 'critical',
    gap: 120,
    score: 0.24,
    action: 'created',
  },
];

describe.each(engines())('the plugin correlation mode on %s', (engine) => {
  describe('at the default threshold 0.3', () => {
    const c = usePluginShop(engine);

    it('opens one incident for a database host storm, rooted at the database', async () => {
      const { h, shop } = c;
      const { source, dbHost, database, ordersApi, billingApi, webShop } = shop;
      const first = await send(h, {
        source: source.id,
        dedup: 'db-cpu',
        on: ['device', dbHost.id],
        criticality: 'critical',
      });
      for (const target of [ordersApi, billingApi, webShop]) {
        h.clock.advance(15_000);
        const on: [string, number] = ['technical_service', target.id];
        const follower = await send(h, { source: source.id, dedup: `${target.name}-5xx`, on });
        expect(follower.correlation).toMatchObject({
          action: 'joined',
          incident_id: first.correlation.incident_id,
        });
      }

      const all = await incidents(h);
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({
        title: 'Service disruption affecting database',
        severity: 'critical',
      });
      expect(ids(all[0].root_cause_services)).toEqual([database.id]);
      expect(names(all[0].affected_services).sort()).toEqual([
        'billing-api',
        'database',
        'orders-api',
        'web-shop',
      ]);
    });

    it.each(WORKED)('scores $case at $score: $action', async (worked) => {
      const { h, shop } = c;
      const source = shop.source.id;
      // Replayed history: the alerts' own times set the gap.
      h.clock.set(at(300));
      const first = await send(h, {
        source,
        dedup: 'first',
        on: on(shop, worked.first),
        time: START,
      });

      const second = await send(h, {
        source,
        dedup: 'second',
        on: on(shop, worked.second),
        criticality: worked.criticality,
        time: at(worked.gap),
      });

      const opened = first.correlation.incident_id;
      expect(second.correlation.action).toBe(worked.action);
      expect(second.correlation.candidates).toEqual([{ incident_id: opened, score: worked.score }]);
      if (worked.action === 'joined') {
        expect(second.correlation).toMatchObject({ incident_id: opened, score: worked.score });
      }
      expect(await incidents(h)).toHaveLength(worked.action === 'joined' ? 1 : 2);
    });
  });

  describe('at threshold 0.4', () => {
    const c = usePluginShop(engine, { BUSINESS_APP_CORRELATION_THRESHOLD: '0.4' });

    it('opens a new incident for siblings sharing an upstream only (0.30)', async () => {
      const { h, shop } = c;
      const source = shop.source.id;
      const orders = await send(h, { source, dedup: 'o', on: on(shop, 'ordersApi') });

      const billing = await send(h, {
        source,
        dedup: 'b',
        on: on(shop, 'billingApi'),
        criticality: 'critical',
      });

      expect(billing.correlation).toMatchObject({
        action: 'created',
        threshold: 0.4,
        candidates: [{ incident_id: orders.correlation.incident_id, score: 0.3 }],
      });
      expect(await incidents(h)).toHaveLength(2);
    });
  });

  describe('with services reached through a cluster', () => {
    const c = usePluginShop(engine);

    /** The cluster k8s-prod with vm-a, and svc-cluster listing the cluster. */
    async function cluster(h: Harness) {
      const k8s = await create(h, PATHS.clusters, { name: 'k8s-prod' });
      const vm = await create(h, PATHS.virtualMachines, { name: 'vm-a', cluster: k8s.id });
      const svcCluster = await service(h, 'svc-cluster', { clusters: [k8s.id] });
      return { vm, svcCluster };
    }

    it('names the cluster service of a VM that has no service of its own', async () => {
      const { h, shop } = c;
      const { vm, svcCluster } = await cluster(h);

      const event = await send(h, {
        source: shop.source.id,
        dedup: 'vm-a-down',
        on: ['virtual_machine', vm.id],
      });

      const [incident] = await incidents(h);
      expect(incident).toMatchObject({
        id: event.correlation.incident_id,
        title: 'Service disruption affecting svc-cluster',
      });
      expect(ids(incident.root_cause_services)).toEqual([svcCluster.id]);
      expect(ids(incident.affected_services)).toEqual([svcCluster.id]);
    });

    it('ranks a VM’s own service and its cluster’s together', async () => {
      const { h, shop } = c;
      const { vm } = await cluster(h);
      await service(h, 'svc-vm-a', { vms: [vm.id] });

      await send(h, { source: shop.source.id, dedup: 'vm-a-down', on: ['virtual_machine', vm.id] });

      const [incident] = await incidents(h);
      expect(incident.title).toBe('Service disruption affecting svc-cluster, svc-vm-a');
      expect(names(incident.root_cause_services)).toEqual(['svc-cluster', 'svc-vm-a']);
    });

    it('lets the root cause follow a cluster service that joins', async () => {
      const { h, shop } = c;
      const { vm, svcCluster } = await cluster(h);
      const checkout = await service(h, 'checkout');
      await dependsOn(h, checkout, svcCluster);
      const first = await send(h, {
        source: shop.source.id,
        dedup: 'checkout-5xx',
        on: ['technical_service', checkout.id],
      });

      const vmDown = await send(h, {
        source: shop.source.id,
        dedup: 'vm-a-down',
        on: ['virtual_machine', vm.id],
        criticality: 'critical',
      });

      expect(vmDown.correlation).toMatchObject({
        action: 'joined',
        incident_id: first.correlation.incident_id,
        score: 0.48,
      });
      const [incident] = await incidents(h);
      expect(incident.title).toBe('Service disruption affecting svc-cluster');
      expect(ids(incident.root_cause_services)).toEqual([svcCluster.id]);
    });
  });
});

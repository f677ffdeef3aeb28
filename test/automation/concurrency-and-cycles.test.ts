import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  alertBody,
  dependsOn,
  device,
  eventSource,
  ids,
  incidents,
  list,
  names,
  recordAlert,
  secondInstance,
  send,
  service,
  type Alert,
  type ShopTopology,
  useShopHarness,
} from './automation-fixtures.js';

const STORM_SIZE = 50;

describe.each(engines())('concurrent storms on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, {}, (started, topology) => {
    h = started;
    shop = topology;
  });

  /** One storm: alerts on the database host, the database and the services depending on it. */
  function stormAlerts(): Alert[] {
    const targets: Array<[string, number]> = [
      ['device', shop.dbHost.id],
      ['technical_service', shop.database.id],
      ['technical_service', shop.ordersApi.id],
      ['technical_service', shop.billingApi.id],
      ['technical_service', shop.webShop.id],
    ];
    return Array.from({ length: STORM_SIZE }, (_, i) => ({
      source: shop.source.id,
      dedup: `storm-${i}`,
      on: targets[i % targets.length]!,
      criticality: 'critical',
    }));
  }

  async function expectOneIncidentForTheStorm(): Promise<void> {
    const all = await incidents(h);
    expect(all).toHaveLength(1);
    const [incident] = all;
    expect(incident.events).toHaveLength(STORM_SIZE);
    expect(names(incident.root_cause_services)).toEqual(['database']);
    expect(names(incident.affected_services).sort()).toEqual([
      'billing-api',
      'database',
      'orders-api',
      'web-shop',
    ]);
    const events = await list(h, PATHS.events);
    expect(events).toHaveLength(STORM_SIZE);
    const actions = events.map((e) => e.correlation.action).sort();
    expect(actions).toEqual(['created', ...Array(STORM_SIZE - 1).fill('joined')]);
    for (const event of events) expect(ids(event.incidents)).toEqual([incident.id]);
  }

  it('ends 50 simultaneous requests for one failure in exactly one incident', async () => {
    const answers = await Promise.all(
      stormAlerts().map((alert) => h.call('POST', PATHS.events, { body: alertBody(alert) })),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(STORM_SIZE).fill(201));
    await expectOneIncidentForTheStorm();
  });

  it('ends a storm split over two instances on one database in one incident', async () => {
    const other = await secondInstance(h);

    const outcomes = await Promise.all(
      stormAlerts().map((alert, i) =>
        recordAlert(i % 2 === 0 ? h.faultline.pipeline : other.pipeline, alert),
      ),
    );
    await other.dispose();

    expect(new Set(outcomes.map((o) => o.incidentId)).size).toBe(1);
    await expectOneIncidentForTheStorm();
  });
});

describe.each(engines())('dependency cycles on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Writes a dependency straight into the table, past the API's cycle check. */
  async function insertDependency(upstream: any, downstream: any): Promise<void> {
    const now = h.clock.now().toISOString();
    await h.faultline.database.db
      .insertInto('service_dependencies')
      .values({
        name: `${downstream.name} needs ${upstream.name}`,
        description: 'written past the API',
        upstream_service_id: upstream.id,
        downstream_service_id: downstream.id,
        dependency_type: 'normal',
        created: now,
        last_updated: now,
        tags: '[]',
        custom_fields: '{}',
      })
      .execute();
  }

  it('decides every event when the tables hold a cycle the API refuses', async () => {
    const host = await device(h, 'ring-host');
    const a = await service(h, 'ring-a', { devices: [host.id] });
    const b = await service(h, 'ring-b');
    const c = await service(h, 'ring-c');
    const apart = await service(h, 'apart');
    await dependsOn(h, b, a);
    await dependsOn(h, c, b);
    const refused = await h.call('POST', PATHS.serviceDependencies, {
      body: { name: 'closing', upstream_service: c.id, downstream_service: a.id },
    });
    expect(refused.status).toBe(400);

    await insertDependency(c, a);
    await insertDependency(c, b);
    await sql`update automation_state set topology_version = topology_version + 1`.execute(
      h.faultline.database.db,
    );
    const source = await eventSource(h);
    const alerts: Alert[] = [
      { source: source.id, dedup: 'host', on: ['device', host.id] },
      { source: source.id, dedup: 'b', on: ['technical_service', b.id] },
      { source: source.id, dedup: 'c', on: ['technical_service', c.id] },
      { source: source.id, dedup: 'apart', on: ['technical_service', apart.id] },
    ];
    const events = await Promise.all(alerts.map((alert) => send(h, alert)));

    const actions = events.map((e) => e.correlation.action);
    expect(actions.filter((x) => x === 'created')).toHaveLength(2);
    expect(actions.filter((x) => x === 'joined')).toHaveLength(2);
    const all = await incidents(h);
    expect(all.map((i) => names(i.affected_services).sort())).toEqual(
      expect.arrayContaining([['ring-a', 'ring-b', 'ring-c'], ['apart']]),
    );
    expect(all).toHaveLength(2);
    const ring = all.find((i) => i.affected_services.length === 3);
    expect(ids(ring.events).sort()).toEqual(ids(events.slice(0, 3)).sort());
    // Every service of a ring explains the others: all are probable root causes, and one of
    // them names the incident.
    expect(names(ring.root_cause_services).sort()).toEqual(['ring-a', 'ring-b', 'ring-c']);
    expect(ring.title).toMatch(/^Service disruption affecting ring-[abc]$/);
  });
});

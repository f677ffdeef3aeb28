import { describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  at,
  ids,
  incidents,
  names,
  patch,
  read,
  send,
  timeline,
  type ShopTopology,
  useShopHarness,
} from './automation-fixtures.js';

describe.each(engines())('correlating alert storms on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, {}, (started, topology) => {
    h = started;
    shop = topology;
  });

  const onDevice = (d: any): [string, number] => ['device', d.id];
  const onService = (s: any): [string, number] => ['technical_service', s.id];

  it('opens one incident for a database host storm, rooted at the database', async () => {
    const { source, dbHost, database, ordersApi, billingApi, webShop } = shop;
    const first = await send(h, {
      source: source.id,
      dedup: 'db-cpu',
      on: onDevice(dbHost),
      criticality: 'critical',
      message: 'CPU saturated on db-host-01',
    });
    const followers = [];
    for (const target of [ordersApi, billingApi, webShop]) {
      h.clock.advance(15_000);
      followers.push(
        await send(h, { source: source.id, dedup: `${target.name}-5xx`, on: onService(target) }),
      );
    }
    h.clock.advance(15_000);
    const disk = await send(h, {
      source: source.id,
      dedup: 'db-disk',
      on: onDevice(dbHost),
      criticality: 'critical',
    });

    const all = await incidents(h);
    expect(all).toHaveLength(1);
    const incident = all[0];
    expect(incident).toMatchObject({
      title: 'Service disruption affecting database',
      title_auto: true,
      description: 'Auto-generated incident from event: CPU saturated on db-host-01',
      status: 'new',
      severity: 'critical',
      detected_at: START,
      resolved_at: null,
      reporter: 'Auto-Incident System',
      auto_created: true,
      last_event_at: at(1),
    });
    expect(names(incident.root_cause_services)).toEqual(['database']);
    expect(names(incident.affected_services).sort()).toEqual([
      'billing-api',
      'database',
      'orders-api',
      'web-shop',
    ]);
    expect(ids(incident.affected_devices)).toEqual([dbHost.id]);
    expect(ids(incident.events).sort((a, b) => a - b)).toEqual(
      [first, ...followers, disk].map((e) => e.id),
    );

    expect(first.correlation).toMatchObject({ action: 'created', incident_id: incident.id });
    for (const follower of followers) {
      expect(follower.correlation).toMatchObject({ action: 'joined', incident_id: incident.id });
      expect(ids(follower.incidents)).toEqual([incident.id]);
    }
    expect(ids(incident.root_cause_services)).toEqual([database.id]);
  });

  it('explains a join by dependency: score, components and candidates', async () => {
    const { source, dbHost, ordersApi } = shop;
    await send(h, { source: source.id, dedup: 'db-down', on: onDevice(dbHost) });

    const joined = await send(h, {
      source: source.id,
      dedup: 'orders-5xx',
      on: onService(ordersApi),
      criticality: 'critical',
    });

    const [incident] = await incidents(h);
    expect(joined.correlation).toMatchObject({
      action: 'joined',
      reason: null,
      incident_id: incident.id,
      score: 0.48,
      components: {
        service_overlap: 0,
        dependency: 0.48,
        infrastructure: 0,
        time_factor: 1,
        severity_bonus: 0,
      },
      relation: 'orders-api depends on database',
      threshold: 0.3,
      candidates: [{ incident_id: incident.id, score: 0.48 }],
    });
  });

  it('explains a join on the same host: shared service and device, capped at 1', async () => {
    const { source, dbHost } = shop;
    await send(h, { source: source.id, dedup: 'db-cpu', on: onDevice(dbHost) });

    const joined = await send(h, { source: source.id, dedup: 'db-disk', on: onDevice(dbHost) });

    expect(joined.correlation).toMatchObject({
      action: 'joined',
      score: 1,
      components: {
        service_overlap: 0.8,
        dependency: 0.6,
        infrastructure: 0.4,
        time_factor: 1,
        severity_bonus: 0.1,
      },
      relation: 'same service database',
    });
  });

  it('picks the best of several candidates and records them best first', async () => {
    const { source, ordersApi, billingApi, database } = shop;
    h.clock.set(at(-120));
    const old = await send(h, {
      source: source.id,
      dedup: 'orders-slow',
      on: onService(ordersApi),
      criticality: 'medium',
    });
    h.clock.set(START);
    const fresh = await send(h, {
      source: source.id,
      dedup: 'billing-slow',
      on: onService(billingApi),
      criticality: 'low',
    });
    h.clock.set(at(1));

    const db = await send(h, { source: source.id, dedup: 'db-slow', on: onService(database) });

    const oldId = old.correlation.incident_id;
    const freshId = fresh.correlation.incident_id;
    expect(freshId).not.toBe(oldId);
    // A new incident records how near its best candidate came, below the threshold.
    expect(fresh.correlation).toMatchObject({
      action: 'created',
      score: 0.15,
      components: { service_overlap: expect.any(Number), dependency: expect.any(Number) },
      relation: expect.any(String),
      candidates: [{ incident_id: oldId, score: 0.15 }],
    });
    expect(db.correlation).toMatchObject({
      action: 'joined',
      incident_id: freshId,
      score: 0.48,
      relation: 'billing-api depends on database',
      candidates: [
        { incident_id: freshId, score: 0.48 },
        { incident_id: oldId, score: 0.24 },
      ],
    });
    expect(await incidents(h)).toHaveLength(2);
  });

  it('keeps two unrelated failures at the same moment as two incidents', async () => {
    const { source, dbHost, mailHost, mail } = shop;
    const [db, mailDown] = await Promise.all([
      send(h, { source: source.id, dedup: 'db-down', on: onDevice(dbHost) }),
      send(h, { source: source.id, dedup: 'mail-down', on: onDevice(mailHost) }),
    ]);
    const mailQueue = await send(h, {
      source: source.id,
      dedup: 'mail-queue',
      on: onService(mail),
    });

    const all = await incidents(h);
    expect(all).toHaveLength(2);
    const byRoot = new Map(all.map((i) => [names(i.root_cause_services).join(), i]));
    const dbIncident = byRoot.get('database');
    const mailIncident = byRoot.get('mail');
    expect(dbIncident.title).toBe('Service disruption affecting database');
    expect(mailIncident.title).toBe('Service disruption affecting mail');
    expect(names(dbIncident.affected_services)).toEqual(['database']);
    expect(names(mailIncident.affected_services)).toEqual(['mail']);
    expect(ids(dbIncident.events)).toEqual([db.id]);
    expect(ids(mailIncident.events).sort()).toEqual([mailDown.id, mailQueue.id].sort());
    expect(mailQueue.correlation).toMatchObject({
      action: 'joined',
      incident_id: mailIncident.id,
      candidates: [{ incident_id: mailIncident.id }],
    });
  });

  it('opens a new incident for a dependency-only relation two hours later', async () => {
    const { source, dbHost, ordersApi } = shop;
    // Replayed history: the alerts' own times count, not when they are received.
    h.clock.set(at(300));
    const db = await send(h, {
      source: source.id,
      dedup: 'db-down',
      on: onDevice(dbHost),
      time: START,
    });

    const orders = await send(h, {
      source: source.id,
      dedup: 'orders-5xx',
      on: onService(ordersApi),
      criticality: 'critical',
      time: at(120),
    });

    const all = await incidents(h);
    expect(all).toHaveLength(2);
    expect(orders.correlation).toMatchObject({
      action: 'created',
      incident_id: all[1].id,
      candidates: [{ incident_id: db.correlation.incident_id, score: 0.24 }],
    });
    expect(all[0]).toMatchObject({ detected_at: START, last_event_at: START });
    expect(all[1]).toMatchObject({
      detected_at: at(120),
      title: 'Service disruption affecting orders-api',
    });
  });

  it('still joins an alert on the same service two hours later, at a decayed score', async () => {
    const { source, dbHost, database } = shop;
    const db = await send(h, { source: source.id, dedup: 'db-down', on: onDevice(dbHost) });
    h.clock.set(at(120));

    const later = await send(h, {
      source: source.id,
      dedup: 'db-replication',
      on: onService(database),
      criticality: 'critical',
    });

    expect(later.correlation).toMatchObject({
      action: 'joined',
      incident_id: db.correlation.incident_id,
      score: 0.7,
      components: {
        service_overlap: 0.8,
        dependency: 0.6,
        infrastructure: 0,
        time_factor: 0.5,
        severity_bonus: 0,
      },
    });
    const [incident] = await incidents(h);
    expect(incident.last_event_at).toBe(at(120));
  });

  it('raises severity when a more severe alert joins and never lowers it', async () => {
    const { source, dbHost, ordersApi, billingApi, webShop } = shop;
    await send(h, {
      source: source.id,
      dedup: 'db-slow',
      on: onDevice(dbHost),
      criticality: 'medium',
    });
    const [opened] = await incidents(h);
    expect(opened.severity).toBe('medium');

    await send(h, {
      source: source.id,
      dedup: 'o',
      on: onService(ordersApi),
      criticality: 'critical',
    });
    await send(h, { source: source.id, dedup: 'b', on: onService(billingApi), criticality: 'low' });
    await send(h, { source: source.id, dedup: 'w', on: onService(webShop), criticality: 'high' });

    const [incident] = await incidents(h);
    expect(incident.severity).toBe('critical');
    expect(incident.events).toHaveLength(4);
    const raised = (await timeline(h, incident.id)).filter((e) => e.kind === 'severity_raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      actor: 'Auto-Incident System',
      message: 'Severity raised from medium to critical',
      at: START,
    });
  });

  it('raises severity when a repeat of a held alert escalates and never lowers it', async () => {
    const { source, dbHost, ordersApi } = shop;
    const alert = { source: source.id, dedup: 'db-slow', on: onDevice(dbHost) };
    const first = await send(h, { ...alert, criticality: 'medium' });
    const id = first.correlation.incident_id;
    await send(h, { source: source.id, dedup: 'o', on: onService(ordersApi), criticality: 'low' });
    h.clock.set(at(2));

    const escalated = await send(h, { ...alert, criticality: 'critical' });
    h.clock.set(at(3));
    const calmer = await send(h, { ...alert, criticality: 'low' });

    expect(escalated).toMatchObject({ id: first.id, occurrences: 2, criticality: 'critical' });
    expect(calmer).toMatchObject({ id: first.id, occurrences: 3, criticality: 'low' });
    expect(escalated.correlation).toEqual(first.correlation);
    const all = await incidents(h);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id, severity: 'critical', updated_at: at(2) });
    expect(all[0].events).toHaveLength(2);
    const raised = (await timeline(h, id)).filter((e) => e.kind === 'severity_raised');
    expect(raised).toEqual([
      expect.objectContaining({
        actor: 'Auto-Incident System',
        message: 'Severity raised from medium to critical',
        at: at(2),
        detail: { event_id: first.id, from: 'medium', to: 'critical' },
      }),
    ]);
  });

  it('lets an automatic title follow the root cause as upstream alerts join', async () => {
    const { source, dbHost, ordersApi, webShop, billingApi } = shop;
    await send(h, { source: source.id, dedup: 'shop-5xx', on: onService(webShop) });
    const titles: string[] = [];
    const roots: string[][] = [];
    const snapshot = async () => {
      const [incident] = await incidents(h);
      titles.push(incident.title);
      roots.push(names(incident.root_cause_services));
      expect(incident.title_auto).toBe(true);
    };
    await snapshot();

    await send(h, { source: source.id, dedup: 'orders-5xx', on: onService(ordersApi) });
    await snapshot();
    await send(h, { source: source.id, dedup: 'db-down', on: onDevice(dbHost) });
    await snapshot();
    await send(h, { source: source.id, dedup: 'billing-5xx', on: onService(billingApi) });
    await snapshot();

    expect(await incidents(h)).toHaveLength(1);
    expect(titles).toEqual([
      'Service disruption affecting web-shop',
      'Service disruption affecting orders-api',
      'Service disruption affecting database',
      'Service disruption affecting database',
    ]);
    // The titled root cause leads; silent upstreams may follow as runners-up.
    expect(roots.map((r) => r[0])).toEqual(['web-shop', 'orders-api', 'database', 'database']);
  });

  it('keeps a title a person edited and records edits with the token name', async () => {
    const { source, dbHost, ordersApi } = shop;
    const orders = await send(h, { source: source.id, dedup: 'o', on: onService(ordersApi) });
    const id = orders.correlation.incident_id;
    h.clock.set(at(2));

    const edited = await patch(h, PATHS.incidents, id, { title: 'Checkout is down' });
    expect(edited).toMatchObject({ title: 'Checkout is down', title_auto: false });
    await patch(h, PATHS.incidents, id, { status: 'investigating' });
    h.clock.set(at(3));
    const db = await send(h, { source: source.id, dedup: 'db', on: onDevice(dbHost) });

    expect(db.correlation).toMatchObject({ action: 'joined', incident_id: id });
    const incident = await read(h, PATHS.incidents, id);
    expect(incident).toMatchObject({
      title: 'Checkout is down',
      title_auto: false,
      status: 'investigating',
    });
    expect(names(incident.root_cause_services)).toEqual(['database']);
    const entries = await timeline(h, id);
    expect(entries.map((e) => e.kind)).toEqual([
      'opened',
      'title_changed',
      'status_changed',
      'event_joined',
      'services_added',
    ]);
    expect(entries[1]).toMatchObject({
      actor: 'w',
      at: at(2),
      message: 'Title changed to: Checkout is down',
    });
    expect(entries[2]).toMatchObject({
      actor: 'w',
      message: 'Status changed from new to investigating',
      detail: { from: 'new', to: 'investigating' },
    });
    expect(entries[3]).toMatchObject({ actor: 'Auto-Incident System', at: at(3) });
  });
});

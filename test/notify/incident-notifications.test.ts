import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  PATHS,
  START,
  at,
  create,
  dependsOn,
  patch,
  read,
  send,
  service,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import {
  NOTIFY_ON,
  SECRET,
  actionsAt,
  alertOn,
  deliveries,
  drain,
  expectSigned,
  incidentLink,
  notifyTopology,
  type NotifyTopology,
} from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';
import type { Receiver } from './receiver.js';

/** A signed hook for everything, a plain URL, and a hook that wants only the ends and returns. */
const hooks = (receiver: Receiver) =>
  JSON.stringify([
    { url: receiver.url('/hook'), secret: SECRET },
    receiver.url('/plain'),
    { url: receiver.url('/ends'), events: ['resolved', 'reopened'] },
  ]);

const BLAST_BEFORE_ORDERS = {
  counts: {
    root_causes: 1,
    affected_services: 1,
    downstream_services: 3,
    services_down: 4,
    services_degraded: 0,
    services_under_maintenance: 0,
    business_applications: 2,
    devices: 1,
    virtual_machines: 0,
  },
  business_applications: ['Billing', 'Web shop'],
};

describe.each(engines())('incident notifications on %s', (engine) => {
  let h: NotifyHarness;
  let t: NotifyTopology;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, (receiver) => ({
      ...NOTIFY_ON,
      BUSINESS_APP_NOTIFICATION_WEBHOOKS: hooks(receiver),
    }));
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await notifyTopology(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const dbDown = (extra = {}) => alertOn(t, 'db-down', t.dbHost, extra);
  const bodiesAt = (path: string) => h.receiver.to(path).map((r) => r.body);

  it('tells a new incident as created, with its services, blast radius and link', async () => {
    const event = await send(h, dbDown());
    const id = event.correlation.incident_id as number;
    await drain(h);

    const incident = await read(h, PATHS.incidents, id);
    const [signed] = h.receiver.to('/hook');
    expect(signed!.body).toEqual({
      action: 'created',
      occurred_at: START,
      incident: {
        id,
        url: incidentLink(id),
        title: incident.title,
        description: incident.description,
        status: 'new',
        severity: 'high',
        created_at: START,
        updated_at: START,
        detected_at: START,
        resolved_at: null,
        last_event_at: START,
        commander: '',
        reporter: 'Auto-Incident System',
        auto_created: true,
        merged_into: null,
      },
      root_cause_services: [{ id: t.database.id, name: 'database' }],
      root_cause_candidates: [],
      affected_services: [{ id: t.database.id, name: 'database' }],
      blast_radius: BLAST_BEFORE_ORDERS,
      event_count: 1,
    });
    expect(incident.title).toBe('Service disruption affecting database');
    const row = (await deliveries(h, '&ordering=id'))[0];
    expect(signed!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Faultline',
      'x-faultline-event': 'incident.created',
      'x-faultline-delivery': row.delivery_id,
    });
    expectSigned(signed!);
  });

  it('sends a plain URL the same bytes, unsigned, and a filtered hook only what it asked', async () => {
    await send(h, dbDown());
    await drain(h);

    const [signed] = h.receiver.to('/hook');
    const [plain] = h.receiver.to('/plain');
    expect(plain!.raw).toBe(signed!.raw);
    expect(plain!.headers['x-webhook-signature']).toBeUndefined();
    expect(plain!.headers['x-faultline-event']).toBe('incident.created');
    expect(plain!.headers['x-faultline-delivery']).not.toBe(
      signed!.headers['x-faultline-delivery'],
    );
    expect(h.receiver.to('/ends')).toEqual([]);
    expect((await deliveries(h)).map((d) => d.action)).toEqual(['created', 'created']);
  });

  it('tells an alert joining with a higher severity as one update', async () => {
    const first = await send(h, dbDown());
    const id = first.correlation.incident_id as number;
    h.clock.set(at(1));
    const joined = await send(
      h,
      alertOn(t, 'orders-5xx', t.ordersApi, { criticality: 'critical' }),
    );
    await drain(h);

    expect(joined.correlation).toMatchObject({ incident_id: id });
    expect(actionsAt(h.receiver, '/hook')).toEqual(['created', 'updated']);
    const updated = bodiesAt('/hook')[1];
    expect(updated).toMatchObject({
      action: 'updated',
      occurred_at: at(1),
      incident: { id, status: 'new', severity: 'critical', updated_at: at(1) },
      root_cause_services: [{ id: t.database.id, name: 'database' }],
      affected_services: [
        { id: t.database.id, name: 'database' },
        { id: t.ordersApi.id, name: 'orders-api' },
      ],
      event_count: 2,
    });
    expect(updated.blast_radius.counts).toEqual({
      ...BLAST_BEFORE_ORDERS.counts,
      affected_services: 2,
    });
    expect(h.receiver.to('/hook')[1]!.headers['x-faultline-event']).toBe('incident.updated');
    expect(h.receiver.to('/ends')).toEqual([]);
  });

  it('tells a repeat of a held alert that escalates as one update', async () => {
    const first = await send(h, dbDown());
    const id = first.correlation.incident_id as number;
    h.clock.set(at(1));
    await send(h, dbDown({ criticality: 'critical' }));
    h.clock.set(at(2));
    await send(h, dbDown({ criticality: 'critical' }));
    await drain(h);

    expect(actionsAt(h.receiver, '/hook')).toEqual(['created', 'updated']);
    expect(bodiesAt('/hook')[1]).toMatchObject({
      action: 'updated',
      occurred_at: at(1),
      incident: { id, status: 'new', severity: 'critical', updated_at: at(1) },
      event_count: 1,
    });
  });

  it('tells automatic resolution as resolved and a re-fire as reopened', async () => {
    const first = await send(h, dbDown());
    const id = first.correlation.incident_id as number;
    h.clock.set(at(5));
    await send(h, dbDown({ status: 'ok' }));
    h.clock.set(at(12));
    await send(h, dbDown());
    await drain(h);

    expect(actionsAt(h.receiver, '/hook')).toEqual(['created', 'resolved', 'reopened']);
    expect(actionsAt(h.receiver, '/ends')).toEqual(['resolved', 'reopened']);
    const [, resolved, reopened] = bodiesAt('/hook');
    expect(resolved.incident).toMatchObject({ id, status: 'monitoring', resolved_at: at(5) });
    expect(resolved.occurred_at).toBe(at(5));
    expect(reopened.incident).toMatchObject({ id, status: 'new', resolved_at: null });
    expect(reopened.occurred_at).toBe(at(12));
    expect(bodiesAt('/ends')).toEqual([resolved, reopened]);
    h.receiver.to('/ends').forEach((r) => {
      expect(r.headers['x-faultline-event']).toBe(`incident.${r.body.action}`);
    });
  });

  it('tells status changes by a person: updated, resolved once, reopened', async () => {
    const first = await send(h, dbDown());
    const id = first.correlation.incident_id as number;
    const steps = ['investigating', 'resolved', 'closed', 'identified'];
    for (const [i, status] of steps.entries()) {
      h.clock.set(at(i + 1));
      await patch(h, PATHS.incidents, id, { status });
    }
    await drain(h);

    expect(actionsAt(h.receiver, '/hook')).toEqual([
      'created',
      'updated',
      'resolved',
      'updated',
      'reopened',
    ]);
    expect(bodiesAt('/hook').map((b) => [b.incident.status, b.incident.resolved_at])).toEqual([
      ['new', null],
      ['investigating', null],
      ['resolved', at(2)],
      ['closed', at(2)],
      ['identified', null],
    ]);
    expect(actionsAt(h.receiver, '/ends')).toEqual(['resolved', 'reopened']);
  });

  it('tells an incident merged into another as resolved, naming where it went', async () => {
    // Three of five dependents of a silent service alert: the third shows their common cause.
    const silent = await service(h, 'storage');
    const apis = [];
    for (let i = 1; i <= 5; i++) {
      apis.push(await service(h, `api-${i}`));
      await dependsOn(h, apis[i - 1], silent);
    }
    const opened = [];
    for (const [i, criticality] of ['critical', 'high', 'medium'].entries()) {
      h.clock.set(at(i));
      const alert = alertOn(t, `api-${i + 1}-5xx`, apis[i], { criticality });
      opened.push((await send(h, alert)).correlation);
    }
    await drain(h);

    const [first, second, third] = opened;
    expect(third).toMatchObject({ incident_id: second.incident_id });
    expect(bodiesAt('/hook').map((b) => [b.action, b.incident.id])).toEqual([
      ['created', first.incident_id],
      ['created', second.incident_id],
      ['resolved', first.incident_id],
      ['updated', second.incident_id],
    ]);
    const [, , merged, kept] = bodiesAt('/hook');
    expect(merged.incident).toMatchObject({ status: 'closed', merged_into: second.incident_id });
    expect(kept.incident).toMatchObject({ status: 'new', severity: 'critical' });
    expect(kept.root_cause_services).toEqual([{ id: silent.id, name: 'storage' }]);
    expect(kept.event_count).toBe(3);
  });

  it('tells an incident a person opens through the API as created', async () => {
    const incident = await create(h, PATHS.incidents, {
      title: 'Payments slow',
      description: 'Customers wait at checkout',
      severity: 'medium',
      reporter: 'alice',
      commander: 'bob',
      affected_services: [t.billingApi.id],
    });
    await drain(h);

    expect(bodiesAt('/hook')).toEqual([
      {
        action: 'created',
        occurred_at: START,
        incident: {
          id: incident.id,
          url: incidentLink(incident.id),
          title: 'Payments slow',
          description: 'Customers wait at checkout',
          status: 'new',
          severity: 'medium',
          created_at: START,
          updated_at: START,
          detected_at: null,
          resolved_at: null,
          last_event_at: null,
          commander: 'bob',
          reporter: 'alice',
          auto_created: false,
          merged_into: null,
        },
        root_cause_services: [],
        root_cause_candidates: [],
        affected_services: [{ id: t.billingApi.id, name: 'billing-api' }],
        blast_radius: {
          counts: {
            root_causes: 0,
            affected_services: 1,
            downstream_services: 0,
            // Read in the creating transaction, which the automation's memory does not follow.
            services_down: 1,
            services_degraded: 0,
            services_under_maintenance: 0,
            business_applications: 1,
            devices: 0,
            virtual_machines: 0,
          },
          business_applications: ['Billing'],
        },
        event_count: 0,
      },
    ]);
  });
});

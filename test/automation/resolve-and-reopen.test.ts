import { describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import {
  AUTO_RESOLVE,
  PATHS,
  START,
  at,
  ids,
  incidents,
  patch,
  read,
  send,
  timeline,
  timelineKinds,
  type Alert,
  type ShopTopology,
  useShopHarness,
} from './automation-fixtures.js';

describe.each(engines())('automatic resolution and reopening on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  /** An alert on the database host under `dedup`. */
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

  it('moves an incident to monitoring once all its alerts are ok', async () => {
    const db = await send(h, onDb('db-down'));
    await send(h, onOrders('orders-5xx'));
    const id = db.correlation.incident_id;
    h.clock.set(at(3));
    const dbOk = await send(h, onDb('db-down', { status: 'ok' }));
    const halfway = await read(h, PATHS.incidents, id);
    h.clock.set(at(5));

    await send(h, onOrders('orders-5xx', { status: 'ok' }));

    expect(dbOk).toMatchObject({ id: db.id, status: 'ok', occurrences: 2 });
    expect(halfway).toMatchObject({ status: 'new', resolved_at: null });
    const incident = await read(h, PATHS.incidents, id);
    expect(incident).toMatchObject({ status: 'monitoring', resolved_at: at(5) });
    const entries = await timeline(h, id);
    expect(entries.filter((e) => e.kind === 'auto_resolved')).toHaveLength(1);
    expect(entries.at(-1)).toMatchObject({
      kind: 'auto_resolved',
      actor: 'Auto-Incident System',
      at: at(5),
      detail: { previous_status: 'new' },
    });
  });

  it('leaves an incident open while one of its events is still triggered', async () => {
    const first = await send(h, onDb('db-cpu'));
    await send(h, onDb('db-disk'));
    await send(h, onOrders('orders-5xx'));
    const id = first.correlation.incident_id;
    h.clock.set(at(5));

    await send(h, onDb('db-cpu', { status: 'ok' }));
    await send(h, onOrders('orders-5xx', { status: 'ok' }));

    const incident = await read(h, PATHS.incidents, id);
    expect(incident).toMatchObject({ status: 'new', resolved_at: null });
    expect(incident.events.map((e: any) => e.status).sort()).toEqual(['ok', 'ok', 'triggered']);
    expect(await timelineKinds(h, id)).not.toContain('auto_resolved');
  });

  it('resolves when the last alert is set to ok through the events API', async () => {
    const db = await send(h, onDb('db-down'));
    h.clock.set(at(4));

    await patch(h, PATHS.events, db.id, { status: 'ok' });

    const incident = await read(h, PATHS.incidents, db.correlation.incident_id);
    expect(incident).toMatchObject({ status: 'monitoring', resolved_at: at(4) });
  });

  it('reopens a monitoring incident to its previous status within the window', async () => {
    const db = await send(h, onDb('db-down'));
    const id = db.correlation.incident_id;
    await patch(h, PATHS.incidents, id, { status: 'investigating' });
    h.clock.set(at(5));
    await send(h, onDb('db-down', { status: 'ok' }));
    expect(await read(h, PATHS.incidents, id)).toMatchObject({
      status: 'monitoring',
      resolved_at: at(5),
    });
    h.clock.set(at(12));

    const again = await send(h, onOrders('orders-5xx'));

    expect(again.correlation).toMatchObject({ action: 'reopened', incident_id: id });
    expect(ids(again.incidents)).toEqual([id]);
    const incident = await read(h, PATHS.incidents, id);
    expect(incident).toMatchObject({ status: 'investigating', resolved_at: null });
    expect(ids(incident.events).sort()).toEqual([db.id, again.id].sort());
    const entries = await timeline(h, id);
    expect(entries.map((e) => e.kind)).toEqual([
      'opened',
      'status_changed',
      'auto_resolved',
      'reopened',
      'event_joined',
      'services_added',
    ]);
    expect(entries[3]).toMatchObject({
      actor: 'Auto-Incident System',
      at: at(12),
      detail: { event_id: again.id, status: 'investigating' },
    });
    expect(await incidents(h)).toHaveLength(1);
  });

  it('reopens the incident when the same alert fires again within the window', async () => {
    const db = await send(h, onDb('db-down'));
    const id = db.correlation.incident_id;
    h.clock.set(at(5));
    await send(h, onDb('db-down', { status: 'ok' }));
    h.clock.set(at(8));

    const again = await send(h, onDb('db-down'));

    expect(again).toMatchObject({ id: db.id, status: 'triggered', occurrences: 3 });
    expect(again.correlation).toMatchObject({ action: 'reopened', incident_id: id });
    const incident = await read(h, PATHS.incidents, id);
    expect(incident).toMatchObject({ status: 'new', resolved_at: null });
    expect(ids(incident.events)).toEqual([db.id]);
    expect(await incidents(h)).toHaveLength(1);
    expect(await timelineKinds(h, id)).toEqual(['opened', 'auto_resolved', 'reopened']);
  });

  it('opens a new incident instead of reopening once the window has passed', async () => {
    const db = await send(h, onDb('db-down'));
    const id = db.correlation.incident_id;
    h.clock.set(at(5));
    await send(h, onDb('db-down', { status: 'ok' }));
    h.clock.set(at(25));

    const later = await send(h, onDb('db-down-again'));

    expect(later.correlation).toMatchObject({ action: 'created', candidates: [] });
    expect(later.correlation.incident_id).not.toBe(id);
    expect(await read(h, PATHS.incidents, id)).toMatchObject({
      status: 'monitoring',
      resolved_at: at(5),
    });
    expect(await timelineKinds(h, id)).toEqual(['opened', 'auto_resolved']);
    expect(await incidents(h)).toHaveLength(2);
  });

  it('never adds events to resolved or closed incidents', async () => {
    const first = await send(h, onDb('db-1'));
    await patch(h, PATHS.incidents, first.correlation.incident_id, { status: 'resolved' });
    h.clock.set(at(1));
    const second = await send(h, onDb('db-2'));
    await patch(h, PATHS.incidents, second.correlation.incident_id, { status: 'closed' });
    h.clock.set(at(2));

    const third = await send(h, onDb('db-3'));

    const all = await incidents(h);
    expect(all.map((i) => i.status)).toEqual(['resolved', 'closed', 'new']);
    expect(all.map((i) => ids(i.events))).toEqual([[first.id], [second.id], [third.id]]);
    expect(second.correlation).toMatchObject({ action: 'created', candidates: [] });
    expect(third.correlation).toMatchObject({ action: 'created', candidates: [] });
  });

  it('does not auto-resolve an incident a person already resolved', async () => {
    const db = await send(h, onDb('db-down'));
    const id = db.correlation.incident_id;
    await patch(h, PATHS.incidents, id, { status: 'resolved' });
    h.clock.set(at(5));

    await send(h, onDb('db-down', { status: 'ok' }));

    const incident = await read(h, PATHS.incidents, id);
    expect(incident).toMatchObject({ status: 'resolved', resolved_at: START });
    expect(await timelineKinds(h, id)).toEqual(['opened', 'status_changed']);
  });
});

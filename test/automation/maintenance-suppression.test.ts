import { describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import {
  AUTO_RESOLVE,
  PATHS,
  at,
  create,
  ids,
  incidents,
  patch,
  read,
  send,
  type Alert,
  type ShopTopology,
  useShopHarness,
} from './automation-fixtures.js';

describe.each(engines())('maintenance windows on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  /** A window on one object, from `from` to `to` minutes after START. */
  async function window(
    on: [type: string, id: number],
    status: string,
    from: number,
    to: number,
  ): Promise<any> {
    return create(h, PATHS.maintenance, {
      status,
      description: 'Firmware upgrade',
      planned_start: at(from),
      planned_end: at(to),
      contact: 'ops@example.com',
      object_type: on[0],
      object_id: on[1],
    });
  }

  const onDb = (dedup: string, extra: Partial<Alert> = {}): Alert => ({
    source: shop.source.id,
    dedup,
    on: ['device', shop.dbHost.id],
    ...extra,
  });

  function expectSuppressed(event: any, maintenanceId: number): void {
    expect(event).toMatchObject({
      status: 'suppressed',
      maintenance: { id: maintenanceId },
      incidents: [],
      correlation: {
        action: 'skipped',
        reason: `suppressed by maintenance ${maintenanceId}`,
        incident_id: null,
      },
    });
  }

  it('suppresses an alert on a device in a planned window, opening no incident', async () => {
    const planned = await window(['device', shop.dbHost.id], 'planned', -10, 60);

    const event = await send(h, onDb('db-down'));

    expectSuppressed(event, planned.id);
    expect(event.is_valid).toBe(true);
    expect(await incidents(h)).toEqual([]);
  });

  it('suppresses an alert whose device serves a service in a started window', async () => {
    const started = await window(['technical_service', shop.database.id], 'started', -10, 60);

    const onHost = await send(h, onDb('db-down'));
    const onService = await send(h, {
      source: shop.source.id,
      dedup: 'db-slow',
      on: ['technical_service', shop.database.id],
    });

    expectSuppressed(onHost, started.id);
    expectSuppressed(onService, started.id);
    expect(await incidents(h)).toEqual([]);
  });

  it('does not suppress an alert on a dependent service outside the window', async () => {
    await window(['technical_service', shop.database.id], 'started', -10, 60);

    const orders = await send(h, {
      source: shop.source.id,
      dedup: 'orders-5xx',
      on: ['technical_service', shop.ordersApi.id],
    });

    expect(orders).toMatchObject({ status: 'triggered', maintenance: null });
    expect(orders.correlation.action).toBe('created');
  });

  it('ignores finished and canceled windows', async () => {
    await window(['device', shop.dbHost.id], 'finished', -10, 60);
    await window(['technical_service', shop.database.id], 'canceled', -10, 60);

    const event = await send(h, onDb('db-down'));

    expect(event).toMatchObject({ status: 'triggered', maintenance: null });
    expect(event.correlation).toMatchObject({ action: 'created' });
    expect(ids(event.incidents)).toEqual([event.correlation.incident_id]);
  });

  it('ignores a window that has not started or has already ended', async () => {
    await window(['device', shop.dbHost.id], 'planned', 60, 120);
    await window(['device', shop.dbHost.id], 'started', -60, -5);

    const before = await send(h, onDb('db-down'));

    expect(before).toMatchObject({ status: 'triggered', maintenance: null });
    expect(await incidents(h)).toHaveLength(1);
  });

  it('suppresses by the alert time once the window has begun', async () => {
    const later = await window(['device', shop.dbHost.id], 'planned', 60, 120);
    const before = await send(h, onDb('db-cpu'));
    h.clock.set(at(90));

    const during = await send(h, onDb('db-disk'));

    expect(before.status).toBe('triggered');
    expectSuppressed(during, later.id);
    const [incident] = await incidents(h);
    expect(ids(incident.events)).toEqual([before.id]);
  });

  it('stops suppressing once a window is finished early', async () => {
    const planned = await window(['device', shop.dbHost.id], 'started', -10, 60);
    const suppressed = await send(h, onDb('db-cpu'));
    await patch(h, PATHS.maintenance, planned.id, { status: 'finished' });
    h.clock.set(at(1));

    const after = await send(h, onDb('db-disk'));

    expectSuppressed(suppressed, planned.id);
    expect(after).toMatchObject({ status: 'triggered', maintenance: null });
    expect(after.correlation.action).toBe('created');
  });

  it('still resolves an incident through an ok during maintenance', async () => {
    const firing = await send(h, onDb('db-down'));
    const id = firing.correlation.incident_id;
    await window(['device', shop.dbHost.id], 'started', 1, 60);
    h.clock.set(at(5));

    const ok = await send(h, onDb('db-down', { status: 'ok' }));

    expect(ok).toMatchObject({ status: 'ok', maintenance: null });
    expect(await read(h, PATHS.incidents, id)).toMatchObject({
      status: 'monitoring',
      resolved_at: at(5),
    });
  });

  it('resolves through an ok that follows a repeat suppressed by maintenance', async () => {
    const firing = await send(h, onDb('db-down'));
    const id = firing.correlation.incident_id;
    const started = await window(['device', shop.dbHost.id], 'started', 1, 60);
    h.clock.set(at(5));
    const repeat = await send(h, onDb('db-down'));
    h.clock.set(at(10));

    const ok = await send(h, onDb('db-down', { status: 'ok' }));

    expect(repeat).toMatchObject({ status: 'suppressed', maintenance: { id: started.id } });
    expect(ok).toMatchObject({ status: 'ok', occurrences: 3 });
    expect(await read(h, PATHS.incidents, id)).toMatchObject({
      status: 'monitoring',
      resolved_at: at(10),
    });
  });
});

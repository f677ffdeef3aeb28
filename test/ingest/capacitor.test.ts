import { describe, expect, it } from 'vitest';

import {
  AUTO_RESOLVE,
  at,
  type ShopTopology,
  useShopHarness,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import { event, eventCount, expectStatus, incident, postAlert } from './ingest-fixtures.js';

/** The payload the plugin documents for alerts/capacitor/. */
function documented(extra: Record<string, unknown> = {}) {
  return {
    alert_id: 'CAP-4711',
    device_name: 'db-host-01',
    description: 'CPU utilisation above 95%',
    priority: 1,
    state: 'ALARM',
    alert_time: at(0),
    metric_name: 'cpu_util',
    metric_value: 97.5,
    threshold: 95,
    ...extra,
  };
}

describe.each(engines())('Capacitor alerts on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  it('stores the documented payload on the device and opens an incident', async () => {
    const answer = await postAlert(h, 'capacitor', documented());

    expectStatus(answer, 201);
    expect(answer.body).toMatchObject({
      status: 'success',
      incident_id: expect.any(Number),
      message: 'Alert processed successfully',
    });
    const stored = await event(h, answer.body.event_id);
    expect(stored).toMatchObject({
      dedup_id: 'capacitor-CAP-4711',
      message: 'CPU utilisation above 95%',
      status: 'triggered',
      criticality: 'critical',
      object_type: 'device',
      object_id: shop.dbHost.id,
      created_at: at(0),
      raw: documented(),
    });
    expect(stored.event_source.name).toBe('capacitor');
  });

  it.each([
    [1, 'critical'],
    [2, 'high'],
    [3, 'medium'],
    [4, 'low'],
    [5, 'low'],
  ])('maps priority %i to %s', async (priority, criticality) => {
    const answer = await postAlert(h, 'capacitor', documented({ priority }));

    expect((await event(h, answer.body.event_id)).criticality).toBe(criticality);
  });

  it('clears the alert with OK and with INSUFFICIENT_DATA, in any case', async () => {
    const first = await postAlert(h, 'capacitor', documented({ alert_id: 7 }));
    const ok = await postAlert(h, 'capacitor', documented({ alert_id: 7, state: 'ok' }));
    const other = await postAlert(h, 'capacitor', documented({ alert_id: 8, state: 'alarm' }));
    const nodata = await postAlert(
      h,
      'capacitor',
      documented({ alert_id: 8, state: 'insufficient_data' }),
    );

    expect(ok.body.event_id).toBe(first.body.event_id);
    const cleared = await event(h, first.body.event_id);
    expect(cleared).toMatchObject({ dedup_id: 'capacitor-7', status: 'ok' });
    expect(cleared.raw.state).toBe('OK');
    expect(await event(h, nodata.body.event_id)).toMatchObject({ status: 'ok' });
    expect(nodata.body.event_id).toBe(other.body.event_id);
    expect(await incident(h, first.body.incident_id)).toMatchObject({ status: 'monitoring' });
  });

  it('names every bad field at once and stores nothing', async () => {
    const answer = await postAlert(h, 'capacitor', {
      alert_id: 'a'.repeat(119),
      description: 'x',
      priority: 6,
      state: 'BROKEN',
      alert_time: at(10),
      metric_value: 'high',
    });

    expectStatus(answer, 400);
    expect(answer.body.errors).toEqual({
      alert_id: ['Ensure this field has no more than 118 characters.'],
      device_name: ['This field is required.'],
      priority: ['Ensure this value is less than or equal to 5.'],
      state: ['"BROKEN" is not a valid choice: ALARM, OK, INSUFFICIENT_DATA.'],
      alert_time: ['Timestamp is more than 5 minutes in the future.'],
      metric_value: ['A valid number is required.'],
    });
    expect(await eventCount(h)).toBe(0);
  });

  it('takes a batch with good and bad items, each on its own', async () => {
    const answer = await postAlert(h, 'capacitor', [
      documented({ alert_id: 'a' }),
      documented({ alert_id: 'b', priority: 0 }),
      documented({ alert_id: 'c', device_name: 'ghost-01' }),
    ]);

    expectStatus(answer, 200);
    expect(answer.body.accepted.map((a: any) => [a.index, a.dedup_id])).toEqual([
      [0, 'capacitor-a'],
      [2, 'capacitor-c'],
    ]);
    expect(answer.body.accepted[1].warning).toBe('target not found: no device named ghost-01');
    expect(answer.body.rejected).toEqual([
      { index: 1, errors: { priority: ['Ensure this value is greater than or equal to 1.'] } },
    ]);
    expect(await eventCount(h)).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';

import {
  AUTO_RESOLVE,
  PATHS,
  at,
  create,
  type ShopTopology,
  useShopHarness,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import { event, eventCount, expectStatus, incident, postAlert } from './ingest-fixtures.js';

/** The payload the plugin documents for alerts/signalfx/. */
function documented(extra: Record<string, unknown> = {}) {
  return {
    incidentId: 'FhT3kQ1AgAA',
    alertState: 'TRIGGERED',
    alertMessage: 'Disk latency above 200 ms',
    severity: 'Critical',
    timestamp: Date.parse(at(0)),
    dimensions: { host: 'db-host-01', cluster: 'prod' },
    detectorName: 'Disk latency',
    detectorUrl: 'https://app.signalfx.com/#/detector/abc',
    rule: 'latency > 200',
    ...extra,
  };
}

describe.each(engines())('SignalFx alerts on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  it('stores the documented payload on the host of its dimensions', async () => {
    const answer = await postAlert(h, 'signalfx', documented());

    expectStatus(answer, 201);
    expect(answer.body.incident_id).toEqual(expect.any(Number));
    const stored = await event(h, answer.body.event_id);
    expect(stored).toMatchObject({
      dedup_id: 'signalfx-FhT3kQ1AgAA',
      message: 'Disk latency above 200 ms',
      status: 'triggered',
      criticality: 'critical',
      object_type: 'device',
      object_id: shop.dbHost.id,
      created_at: at(0),
      raw: documented(),
    });
    expect(stored.event_source.name).toBe('signalfx');
  });

  it.each(['RESOLVED', 'stopped', 'OK', 'manually_resolved'])(
    'clears the event with %s, unlike the plugin',
    async (state) => {
      const first = await postAlert(h, 'signalfx', documented());
      const cleared = await postAlert(h, 'signalfx', documented({ alertState: state }));

      expect(cleared.body.event_id).toBe(first.body.event_id);
      expect(await event(h, first.body.event_id)).toMatchObject({ status: 'ok' });
      expect(await incident(h, first.body.incident_id)).toMatchObject({ status: 'monitoring' });
    },
  );

  it('finds a VM, else a service, from the dimensions', async () => {
    const vm = await create(h, PATHS.virtualMachines, { name: 'app-vm-3' });
    const onVm = await postAlert(
      h,
      'signalfx',
      documented({ incidentId: 'v', dimensions: { vm_name: 'app-vm-3', service_name: 'mail' } }),
    );
    const onService = await postAlert(
      h,
      'signalfx',
      documented({ incidentId: 's', dimensions: { service_name: 'orders-api' } }),
    );
    const nowhere = await postAlert(h, 'signalfx', documented({ incidentId: 'n', dimensions: {} }));

    expect(await event(h, onVm.body.event_id)).toMatchObject({
      object_type: 'virtual_machine',
      object_id: vm.id,
    });
    expect(await event(h, onService.body.event_id)).toMatchObject({
      object_type: 'technical_service',
      object_id: shop.ordersApi.id,
    });
    expect(nowhere.body).toMatchObject({
      incident_id: null,
      warning: 'target not found: no target',
    });
  });

  it.each([
    ['HIGH', 'high'],
    ['medium-ish', 'medium'],
    ['Warning', 'medium'],
    ['lowest', 'low'],
    ['info', 'low'],
    [undefined, 'medium'],
  ])('reads severity %s as %s', async (severity, criticality) => {
    const answer = await postAlert(h, 'signalfx', documented({ severity }));

    expect((await event(h, answer.body.event_id)).criticality).toBe(criticality);
  });

  it('takes an ISO 8601 timestamp as well as epoch milliseconds', async () => {
    const answer = await postAlert(h, 'signalfx', documented({ timestamp: at(-3) }));

    expect((await event(h, answer.body.event_id)).created_at).toBe(at(-3));
  });

  it('names every bad field at once and stores nothing', async () => {
    const answer = await postAlert(h, 'signalfx', {
      incidentId: '',
      alertState: 'EXPLODED',
      severity: 'urgent',
      timestamp: Date.parse(at(30)),
      dimensions: 'host=db',
    });

    expectStatus(answer, 400);
    expect(answer.body.errors).toEqual({
      incidentId: ['This field may not be blank.'],
      alertState: [
        '"EXPLODED" is not a valid choice: TRIGGERED, ANOMALOUS, RESOLVED, STOPPED, OK, ' +
          'MANUALLY_RESOLVED.',
      ],
      alertMessage: ['This field is required.'],
      severity: ['"urgent" is not a valid choice: critical, high, medium, low.'],
      timestamp: ['Timestamp is more than 5 minutes in the future.'],
      dimensions: ['Expected a dictionary of items but got type "str".'],
    });
    expect(await eventCount(h)).toBe(0);
  });

  it('takes a batch with good and bad items, each on its own', async () => {
    const answer = await postAlert(h, 'signalfx', [
      documented({ incidentId: 'a', alertState: 'nope' }),
      documented({ incidentId: 'b' }),
    ]);

    expectStatus(answer, 200);
    expect(answer.body.accepted.map((a: any) => [a.index, a.dedup_id])).toEqual([
      [1, 'signalfx-b'],
    ]);
    expect(answer.body.rejected.map((r: any) => [r.index, Object.keys(r.errors)])).toEqual([
      [0, ['alertState']],
    ]);
    expect(await eventCount(h)).toBe(1);
  });
});

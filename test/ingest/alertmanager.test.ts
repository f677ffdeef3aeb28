import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  AUTO_RESOLVE,
  PATHS,
  create,
  device,
  incidents,
  service,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  alertPath,
  event,
  eventCount,
  events,
  expectStatus,
  fixture,
  fixtureText,
  incident,
  postAlert,
  recordedRequests,
  replayHeaders,
} from './ingest-fixtures.js';

/** After the recorded notifications: their alerts' times are in the past. */
const NOW = '2026-12-03T16:30:00.000Z';

const FINGERPRINTS = {
  api1: '0e24eb224fad137a',
  db1: 'd01d8e47f15f8631',
  db2: '4fab39ac9aae8c4e',
  db3: '546c392e79201b07',
  db4: '84e669e44f88dac4',
};

/** The hosts and services the recorded alerts are about. */
async function recordedTopology(h: Harness) {
  const hosts: Record<string, any> = {};
  for (const name of ['db-1', 'db-2', 'db-3', 'db-4', 'api-1']) hosts[name] = await device(h, name);
  const dbIds = ['db-1', 'db-2', 'db-3', 'db-4'].map((n) => hosts[n].id);
  const db = await service(h, 'db', { devices: dbIds });
  const api = await service(h, 'api', { devices: [hosts['api-1'].id] });
  return { hosts, db, api };
}

/** One alert of a group, as Alertmanager sends it. */
function alert(labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    status: 'firing',
    labels: { alertname: 'HighCPU', severity: 'critical', ...labels },
    annotations: { summary: `CPU high on ${labels.instance ?? 'somewhere'}` },
    startsAt: '2026-12-03T16:25:00.886Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph',
    fingerprint: 'aaaaaaaaaaaaaaa1',
    ...extra,
  };
}

function webhook(alerts: unknown[], extra: Record<string, unknown> = {}) {
  return {
    receiver: 'faultline',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'HighCPU' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: '{}:{alertname="HighCPU"}',
    truncatedAlerts: 0,
    ...extra,
  };
}

describe.each(engines())('Alertmanager webhooks on %s', (engine) => {
  let h: Harness;
  let topology: Awaited<ReturnType<typeof recordedTopology>>;
  beforeAll(async () => {
    h = await startHarness(engine, AUTO_RESOLVE);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(NOW);
    topology = await recordedTopology(h);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Replays recorded request `n` byte for byte; fails unless Faultline answers 200. */
  async function replay(n: number): Promise<any> {
    const request = recordedRequests().find((r) => r.n === n)!;
    const answer = await h.call('POST', alertPath('alertmanager'), {
      payload: request.body,
      headers: replayHeaders(request),
    });
    expectStatus(answer, 200);
    return answer.body;
  }

  it('turns every recorded notification into events, and incidents that resolve', async () => {
    const firing = await replay(1);
    const grouped = await replay(2);
    const [cpu, disk] = [firing.accepted[0].incident_id, grouped.accepted[0].incident_id];
    const afterGrouped = await incidents(h);
    const resolvedCpu = await replay(3);
    const mixed = await replay(4);
    const diskAfterMixed = await incident(h, disk);
    const remaining = await replay(5);

    expect(firing).toEqual({
      accepted: [
        { index: 0, event_id: expect.any(Number), incident_id: cpu, dedup_id: FINGERPRINTS.api1 },
      ],
      rejected: [],
    });
    expect(grouped.rejected).toEqual([]);
    expect(grouped.accepted.map((a: any) => a.dedup_id)).toEqual([
      FINGERPRINTS.db1,
      FINGERPRINTS.db2,
      FINGERPRINTS.db3,
      FINGERPRINTS.db4,
    ]);
    expect(new Set(grouped.accepted.map((a: any) => a.incident_id))).toEqual(new Set([disk]));
    expect(disk).not.toBe(cpu);
    expect(afterGrouped.map((i) => i.status)).toEqual(['new', 'new']);
    expect(resolvedCpu.accepted[0]).toMatchObject({
      incident_id: null,
      dedup_id: FINGERPRINTS.api1,
    });
    expect(mixed.accepted).toHaveLength(4);
    expect(diskAfterMixed.status).toBe('new');
    expect(remaining.accepted.map((a: any) => a.dedup_id)).toEqual([
      FINGERPRINTS.db3,
      FINGERPRINTS.db4,
    ]);
    expect((await incidents(h)).map((i) => [i.id, i.status])).toEqual([
      [cpu, 'monitoring'],
      [disk, 'monitoring'],
    ]);
    const stored = await events(h);
    expect(stored).toHaveLength(5);
    expect(stored.every((e) => e.status === 'ok')).toBe(true);
  });

  it('maps a firing alert: fingerprint, severity, summary, instance, time', async () => {
    const answer = await replay(1);

    const stored = await event(h, answer.accepted[0].event_id);
    expect(stored).toMatchObject({
      dedup_id: FINGERPRINTS.api1,
      status: 'triggered',
      criticality: 'critical',
      message: 'CPU above 90% for 5m on api-1',
      object_type: 'device',
      object_id: topology.hosts['api-1'].id,
      created_at: '2026-12-03T16:25:00.886Z',
    });
    expect(stored.event_source.name).toBe('alertmanager');
    const sent = fixture('firing-single-HighCPU-api.json');
    expect(stored.raw).toEqual({
      ...sent.alerts[0],
      receiver: 'webhook',
      groupKey: sent.groupKey,
      groupLabels: sent.groupLabels,
      externalURL: 'http://127.0.0.1:19093',
    });
  });

  it('maps a resolved alert to ok at the time it ended', async () => {
    await replay(1);
    const answer = await replay(3);

    const stored = await event(h, answer.accepted[0].event_id);
    expect(stored).toMatchObject({
      status: 'ok',
      occurrences: 2,
      last_seen_at: '2026-12-03T16:27:01.102Z',
    });
  });

  it('reads a warning severity as medium and groups the four disks in one incident', async () => {
    const answer = await replay(2);

    const stored = await Promise.all(answer.accepted.map((a: any) => event(h, a.event_id)));
    expect(stored.map((e) => e.criticality)).toEqual(['medium', 'medium', 'medium', 'medium']);
    expect(stored.map((e) => e.message)).toEqual([
      'Disk over 95% on db-1',
      'Disk over 95% on db-2',
      'Disk over 95% on db-3',
      'Disk over 95% on db-4',
    ]);
    const [only] = await incidents(h);
    expect(only.affected_services.map((s: any) => s.name)).toEqual(['db']);
  });

  it('accepts each recorded body as pretty-printed JSON too', async () => {
    for (const name of [
      'firing-single-HighCPU-api.json',
      'firing-grouped-4-DiskFull-db.json',
      'resolved-single-HighCPU-api.json',
      'mixed-grouped-2firing-2resolved-DiskFull-db.json',
      'resolved-grouped-remaining2-DiskFull-db.json',
    ]) {
      const answer = await h.call('POST', alertPath('alertmanager'), {
        payload: fixtureText(name),
      });
      expectStatus(answer, 200);
      expect(answer.body.rejected).toEqual([]);
      expect(answer.body.accepted).toHaveLength(fixture(name).alerts.length);
    }
    expect(await eventCount(h)).toBe(5);
  });

  it('takes the message from description, then the alert name', async () => {
    const answer = await postAlert(
      h,
      'alertmanager',
      webhook([
        alert({ instance: 'api-1:9100' }, { annotations: { description: 'described' } }),
        alert({ instance: 'api-1:9100' }, { annotations: {}, fingerprint: 'aaaaaaaaaaaaaaa2' }),
      ]),
    );

    const stored = await Promise.all(answer.body.accepted.map((a: any) => event(h, a.event_id)));
    expect(stored.map((e) => e.message)).toEqual(['described', 'HighCPU']);
  });

  it('reads an unknown or missing severity as medium', async () => {
    const answer = await postAlert(
      h,
      'alertmanager',
      webhook([
        alert({ instance: 'api-1', severity: 'page' }),
        alert({ instance: 'api-1', severity: '' }, { fingerprint: 'aaaaaaaaaaaaaaa2' }),
      ]),
    );

    const stored = await Promise.all(answer.body.accepted.map((a: any) => event(h, a.event_id)));
    expect(stored.map((e) => e.criticality)).toEqual(['medium', 'medium']);
  });

  it('finds the target by the first label of the default order', async () => {
    const cluster = await create(h, PATHS.clusters, { name: 'k8s-prod' });
    const answer = await postAlert(
      h,
      'alertmanager',
      webhook([
        alert({ netbox_device: 'db-2', instance: 'api-1:9100' }, { fingerprint: 'f1' }),
        alert({ host: 'db-3', service: 'api' }, { fingerprint: 'f2' }),
        alert({ instance: '[2001:db8::1]:9100' }, { fingerprint: 'f3' }),
        alert({ cluster: 'k8s-prod', service: 'api' }, { fingerprint: 'f4' }),
        alert({ service: 'api' }, { fingerprint: 'f5' }),
        alert({ job: 'node' }, { fingerprint: 'f6' }),
      ]),
    );

    const stored = await Promise.all(answer.body.accepted.map((a: any) => event(h, a.event_id)));
    expect(stored.map((e) => [e.object_type, e.object_id])).toEqual([
      ['device', topology.hosts['db-2'].id],
      ['device', topology.hosts['db-3'].id],
      [null, null],
      ['cluster', cluster.id],
      ['technical_service', topology.api.id],
      [null, null],
    ]);
    expect(answer.body.accepted[2].warning).toBe('target not found: no device named 2001:db8::1');
    expect(answer.body.accepted[5].warning).toBe('target not found: no target');
  });

  it('derives a stable identity from the labels when an alert has no fingerprint', async () => {
    const { fingerprint: _f, ...bare } = alert({ instance: 'api-1' });
    const first = await postAlert(h, 'alertmanager', webhook([bare]));
    const again = await postAlert(h, 'alertmanager', webhook([{ ...bare, status: 'resolved' }]));

    expect(first.body.accepted[0].dedup_id).toMatch(/^[0-9a-f]{16}$/);
    expect(again.body.accepted[0]).toMatchObject({
      event_id: first.body.accepted[0].event_id,
      dedup_id: first.body.accepted[0].dedup_id,
    });
  });

  it('stores the valid alerts of a group and names what is wrong with the others', async () => {
    const answer = await postAlert(
      h,
      'alertmanager',
      webhook([
        alert({ instance: 'api-1' }),
        alert({ instance: 'db-1' }, { status: 'pending', fingerprint: 'b1' }),
        { status: 'firing', labels: { instance: 'db-2', count: 3 }, fingerprint: 'b2' },
        alert({ instance: 'db-3' }, { startsAt: '2026-12-03T17:00:00Z', fingerprint: 'b3' }),
        alert({ instance: 'db-4' }, { fingerprint: 'x'.repeat(129) }),
        42,
      ]),
    );

    expectStatus(answer, 200);
    expect(answer.body.accepted.map((a: any) => a.index)).toEqual([0]);
    expect(answer.body.rejected).toEqual([
      { index: 1, errors: { status: ['"pending" is not a valid choice.'] } },
      { index: 2, errors: { 'labels.count': ['Not a valid string.'] } },
      { index: 3, errors: { startsAt: ['Timestamp is more than 5 minutes in the future.'] } },
      {
        index: 4,
        errors: { fingerprint: ['Ensure this field has no more than 128 characters.'] },
      },
      {
        index: 5,
        errors: { non_field_errors: [expect.stringContaining('Expected a dictionary')] },
      },
    ]);
    expect(await eventCount(h)).toBe(1);
  });

  it('answers 400 to a body that is not a webhook, storing nothing', async () => {
    const noAlerts = await postAlert(h, 'alertmanager', { receiver: 'x', version: '4' });
    const oldVersion = await postAlert(h, 'alertmanager', webhook([], { version: '3' }));
    const list = await postAlert(h, 'alertmanager', [webhook([alert({ instance: 'api-1' })])]);

    expectStatus(noAlerts, 400);
    expect(noAlerts.body).toEqual({ errors: { alerts: ['This field is required.'] } });
    expect(oldVersion.body).toEqual({ errors: { version: ['"3" is not a valid choice.'] } });
    expectStatus(list, 400);
    expect(list.body.errors.non_field_errors).toEqual([
      'Invalid data. Expected a dictionary, but got list.',
    ]);
    expect(await eventCount(h)).toBe(0);
  });

  it('answers 400 to a group holding what no database stores, storing none of it', async () => {
    const nul = await postAlert(
      h,
      'alertmanager',
      webhook([alert({ instance: 'api-1' }), alert({ instance: 'db-1', env: 'pro\u0000d' })]),
    );
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { deeper: deep };
    const tooDeep = await postAlert(
      h,
      'alertmanager',
      webhook([alert({ instance: 'api-1' }, { annotations: { summary: 'x' }, extra: deep })]),
    );

    expectStatus(nul, 400);
    expect(Object.keys(nul.body.errors)).toEqual(['alerts']);
    expect(nul.body.errors.alerts[0]).toMatch(/null character/i);
    expectStatus(tooDeep, 400);
    expect(Object.keys(tooDeep.body.errors)).toEqual(['alerts']);
    expect(await eventCount(h)).toBe(0);
  });
});

describe('Alertmanager target labels in another order', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite', {
      BUSINESS_APP_ALERTMANAGER_TARGET_LABELS: '["service", "node:device", "instance"]',
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('follows the configured order, and reads custom labels as configured', async () => {
    h.clock.set(NOW);
    const { hosts, db } = await recordedTopology(h);

    const answer = await postAlert(
      h,
      'alertmanager',
      webhook([
        alert({ instance: 'db-1:9100', service: 'db' }, { fingerprint: 'c1' }),
        alert({ instance: 'db-1:9100', node: 'db-4' }, { fingerprint: 'c2' }),
      ]),
    );

    const stored = await Promise.all(answer.body.accepted.map((a: any) => event(h, a.event_id)));
    expect(stored.map((e) => [e.object_type, e.object_id])).toEqual([
      ['technical_service', db.id],
      ['device', hosts['db-4'].id],
    ]);
  });
});

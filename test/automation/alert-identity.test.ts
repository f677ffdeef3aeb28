import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { NamedTargetType } from '../../src/topology/topology-index.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  alertBody,
  at,
  create,
  device,
  eventSource,
  ids,
  incidents,
  list,
  read,
  record,
  recordAlert,
  secondInstance,
  send,
  service,
  type Alert,
} from './automation-fixtures.js';

describe.each(engines())('alert identity and targets on %s', (engine) => {
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

  async function hostWithService(name: string): Promise<{ host: any; svc: any }> {
    const host = await device(h, name);
    const svc = await service(h, `${name}-service`, { devices: [host.id] });
    return { host, svc };
  }

  describe('dedup', () => {
    it('folds a repeated alert into one event and keeps its latest state', async () => {
      const { host } = await hostWithService('db-01');
      const source = await eventSource(h);
      const alert = { source: source.id, dedup: 'disk-db-01', on: ['device', host.id] } as const;
      const first = await send(h, { ...alert, criticality: 'medium', message: 'Disk 80% full' });
      h.clock.set(at(3));
      const second = await send(h, { ...alert, criticality: 'critical', message: 'Disk 95% full' });
      h.clock.set(at(4));

      const cleared = await send(h, { ...alert, status: 'ok', message: 'Disk usage normal' });

      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({
        created_at: START,
        last_seen_at: at(3),
        message: 'Disk 95% full',
        criticality: 'critical',
        status: 'triggered',
        occurrences: 2,
      });
      expect(cleared).toMatchObject({
        id: first.id,
        created_at: START,
        last_seen_at: at(4),
        message: 'Disk usage normal',
        status: 'ok',
        occurrences: 3,
      });
      expect(ids(await list(h, PATHS.events))).toEqual([first.id]);
      const [incident] = await incidents(h);
      expect(ids(incident.events)).toEqual([first.id]);
    });

    it('keeps the same dedup_id from two event sources apart', async () => {
      const { host } = await hostWithService('db-01');
      const prometheus = await eventSource(h, 'prometheus');
      const nagios = await eventSource(h, 'nagios');

      const a = await send(h, { source: prometheus.id, dedup: 'disk', on: ['device', host.id] });
      const b = await send(h, { source: nagios.id, dedup: 'disk', on: ['device', host.id] });

      expect(a.id).not.toBe(b.id);
      expect([a.occurrences, b.occurrences]).toEqual([1, 1]);
      expect(b.correlation).toMatchObject({ action: 'joined' });
    });

    it('stores 20 simultaneous copies of one alert as one event seen 20 times', async () => {
      const { host } = await hostWithService('db-01');
      const source = await eventSource(h);
      const body = alertBody({ source: source.id, dedup: 'db-01-down', on: ['device', host.id] });

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => h.call('POST', PATHS.events, { body })),
      );

      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      const eventIds = new Set(answers.map((a) => a.body.id as number));
      expect(eventIds.size).toBe(1);
      const events = await list(h, PATHS.events);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ occurrences: 20, dedup_id: 'db-01-down' });
      const all = await incidents(h);
      expect(all).toHaveLength(1);
      expect(ids(all[0].events)).toEqual([events[0].id]);
    });

    it('stores one alert sent 20 times at once to two instances as one event', async () => {
      const { host } = await hostWithService('db-01');
      const source = await eventSource(h);
      const other = await secondInstance(h);
      const alert: Alert = { source: source.id, dedup: 'db-01-down', on: ['device', host.id] };

      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          recordAlert(i % 2 === 0 ? h.faultline.pipeline : other.pipeline, alert),
        ),
      );
      await other.dispose();

      expect(new Set(outcomes.map((o) => o.eventId)).size).toBe(1);
      expect(outcomes.filter((o) => o.created)).toHaveLength(1);
      const events = await list(h, PATHS.events);
      expect(events).toHaveLength(1);
      expect(events[0].occurrences).toBe(20);
      expect(await incidents(h)).toHaveLength(1);
    });
  });

  describe('unknown targets', () => {
    it('stores an alert on an unknown host as invalid and correlates a later repeat', async () => {
      const missing = await record(h, {
        dedupId: 'db-07-down',
        target: { type: 'device', identifier: 'db-07.example.com' },
      });

      expect(missing).toMatchObject({
        created: true,
        incidentId: null,
        correlation: {
          action: 'skipped',
          reason: 'unknown target: no device named db-07.example.com',
          incident_id: null,
        },
        warning: 'target not found: no device named db-07.example.com',
      });
      expect(await read(h, PATHS.events, missing.eventId)).toMatchObject({
        is_valid: false,
        invalid_reason: 'no device named db-07.example.com',
        object_type: null,
        object_id: null,
        incidents: [],
      });
      expect(await incidents(h)).toEqual([]);

      const { host, svc } = await hostWithService('DB-07');
      h.clock.set(at(2));
      const fixed = await record(h, {
        dedupId: 'db-07-down',
        target: { type: 'device', identifier: 'db-07.example.com' },
      });

      expect(fixed).toMatchObject({
        eventId: missing.eventId,
        created: false,
        correlation: { action: 'created' },
        warning: null,
      });
      const event = await read(h, PATHS.events, missing.eventId);
      expect(event).toMatchObject({
        is_valid: true,
        invalid_reason: null,
        object_type: 'device',
        object_id: host.id,
        occurrences: 2,
        incidents: [{ id: fixed.incidentId }],
      });
      const [incident] = await incidents(h);
      expect(incident).toMatchObject({ id: fixed.incidentId, detected_at: at(2) });
      expect(ids(incident.affected_devices)).toEqual([host.id]);
      expect(ids(incident.root_cause_services)).toEqual([svc.id]);
    });

    it('stores an alert without any target as invalid, opening no incident', async () => {
      const created = await create(h, PATHS.events, {
        message: 'Something is wrong somewhere',
        dedup_id: 'vague',
        status: 'triggered',
        criticality: 'critical',
      });

      const event = await read(h, PATHS.events, created.id);
      expect(event).toMatchObject({
        is_valid: false,
        invalid_reason: 'no target',
        incidents: [],
        correlation: { action: 'skipped', reason: 'unknown target: no target' },
      });
      expect(await incidents(h)).toEqual([]);
    });

    it('keeps the resolved target when a repeat names none', async () => {
      const { host } = await hostWithService('db-01');
      const first = await record(h, {
        dedupId: 'db-01-down',
        target: { type: 'device', identifier: 'db-01' },
      });

      const repeat = await record(h, { dedupId: 'db-01-down', target: null });

      expect(repeat).toMatchObject({ eventId: first.eventId, incidentId: first.incidentId });
      expect(await read(h, PATHS.events, first.eventId)).toMatchObject({
        is_valid: true,
        object_id: host.id,
        occurrences: 2,
      });
    });
  });

  describe('names', () => {
    it('finds targets by name ignoring case, from a full host name or a short one', async () => {
      const fqdn = await device(h, 'db-01.example.com');
      const short = await device(h, 'web-01');
      const vm = await create(h, PATHS.virtualMachines, { name: 'app-vm-1.example.com' });
      const cluster = await create(h, PATHS.clusters, { name: 'Prod-Cluster' });
      const svc = await service(h, 'Orders-API');
      const cases: Array<[NamedTargetType, string, number]> = [
        ['device', 'DB-01', fqdn.id],
        ['device', 'db-01.EXAMPLE.com', fqdn.id],
        ['device', 'Web-01', short.id],
        ['device', 'WEB-01.corp.example.com', short.id],
        ['virtual_machine', 'APP-VM-1', vm.id],
        ['cluster', 'prod-cluster', cluster.id],
        ['technical_service', 'ORDERS-api', svc.id],
      ];

      const resolved: Array<[string, number | null]> = [];
      for (const [i, [type, identifier]] of cases.entries()) {
        const outcome = await record(h, { dedupId: `n-${i}`, target: { type, identifier } });
        const event = await read(h, PATHS.events, outcome.eventId);
        expect(event.is_valid, `${identifier}: ${event.invalid_reason}`).toBe(true);
        expect(event.object_type).toBe(type);
        resolved.push([identifier, event.object_id]);
      }

      expect(resolved).toEqual(cases.map(([, identifier, id]) => [identifier, id]));
    });

    it('refuses a short name that two fully qualified hosts share, saying so', async () => {
      await device(h, 'db-02.east.example.com');
      await device(h, 'db-02.west.example.com');

      const outcome = await record(h, {
        dedupId: 'db-02-down',
        target: { type: 'device', identifier: 'db-02' },
      });

      expect(await read(h, PATHS.events, outcome.eventId)).toMatchObject({
        is_valid: false,
        invalid_reason: 'db-02 names 2 devices',
      });
      expect(outcome.correlation).toMatchObject({ action: 'skipped' });
    });
  });
});

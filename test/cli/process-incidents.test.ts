import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { faultline } from '../support/cli.js';
import { engines } from '../support/databases.js';
import { make, openWorkspace, type Workspace } from './workspace.js';

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** The server plays along with automatic processing off: its events wait for the command. */
const SERVER_OFF = { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' };

interface Shop {
  source: number;
  dbHost: number;
  database: number;
  orders: number;
  billing: number;
  mail: number;
}

async function shop(ws: Workspace): Promise<Shop> {
  const dbHost = await make(ws, '/api/dcim/devices/', { name: 'db-host-01' });
  const mailHost = await make(ws, '/api/dcim/devices/', { name: 'mail-01' });
  const database = await make(ws, 'technical-services/', {
    name: 'database',
    devices: [dbHost.id],
  });
  const orders = await make(ws, 'technical-services/', { name: 'orders-api' });
  const billing = await make(ws, 'technical-services/', { name: 'billing-api' });
  const mail = await make(ws, 'technical-services/', { name: 'mail', devices: [mailHost.id] });
  for (const downstream of [orders, billing]) {
    await make(ws, 'service-dependencies/', {
      name: `${downstream.name} needs database`,
      upstream_service: database.id,
      downstream_service: downstream.id,
    });
  }
  const source = await make(ws, 'event-sources/', { name: 'prometheus' });
  return {
    source: source.id,
    dbHost: dbHost.id,
    database: database.id,
    orders: orders.id,
    billing: billing.id,
    mail: mail.id,
  };
}

interface EventSpec {
  dedup: string;
  on: [string, number];
  status?: string;
  message?: string;
  createdAt?: string;
}

async function event(ws: Workspace, s: Shop, spec: EventSpec): Promise<any> {
  return make(ws, 'events/', {
    message: spec.message ?? `${spec.dedup} firing`,
    dedup_id: spec.dedup,
    status: spec.status ?? 'triggered',
    criticality: 'high',
    event_source: s.source,
    object_type: spec.on[0],
    object_id: spec.on[1],
    ...(spec.createdAt === undefined ? {} : { created_at: spec.createdAt }),
  });
}

async function allIncidents(ws: Workspace): Promise<any[]> {
  const answer = await ws.call('GET', 'incidents/?limit=1000&ordering=id');
  return answer.body.results as any[];
}

describe.each(engines())('faultline process-incidents on %s', (engine) => {
  let ws: Workspace;
  let s: Shop;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => faultline(['process-incidents', ...argv], env);

  beforeAll(async () => {
    ws = await openWorkspace(engine, SERVER_OFF);
  });
  afterAll(async () => {
    await ws.close();
  });
  beforeEach(async () => {
    // Manual processing works while automatic processing is switched off: that is what it is for.
    env = { ...ws.env, BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' };
    s = await shop(ws);
  });
  afterEach(async () => {
    const db = ws.server.database.db;
    for (const table of ['incidents', 'events', 'service_dependencies', 'technical_services']) {
      await db.deleteFrom(table).execute();
    }
    await db.deleteFrom('devices').execute();
    await db.deleteFrom('event_sources').execute();
  });

  describe('--mode process', () => {
    it('lists at most ten events in a dry run and changes nothing', async () => {
      for (let i = 1; i <= 12; i++) {
        await event(ws, s, {
          dedup: `db-${i}`,
          on: ['device', s.dbHost],
          message: `Database connection pool exhausted on replica number ${i} of the cluster`,
        });
      }

      const result = await cli('--dry-run');

      expect(result.status).toBe(0);
      expect(result.lines[0]).toBe('DRY RUN MODE - No changes will be made');
      expect(result.lines[1]).toBe('Found 12 unprocessed events in the last 24 hours');
      const listed = result.lines.filter((l) => l.startsWith('Would process: '));
      expect(listed).toHaveLength(10);
      expect(listed[0]).toMatch(
        /^Would process: \d+ - Database connection pool exhausted on replica numb\.\.\.$/,
      );
      expect(result.lines).toContain('... and 2 more events');
      expect(await allIncidents(ws)).toEqual([]);
    });

    it('processes the events of the window and says how many', async () => {
      await event(ws, s, { dedup: 'old', on: ['device', s.dbHost], createdAt: hoursAgo(30) });
      await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });
      await event(ws, s, { dedup: 'orders', on: ['technical_service', s.orders] });
      await event(ws, s, { dedup: 'mail', on: ['technical_service', s.mail] });

      const result = await cli('--mode=process', '--hours=24');

      expect(result.status).toBe(0);
      expect(result.lines).toEqual([
        'Found 3 unprocessed events in the last 24 hours',
        'Successfully processed 3 events',
        '  2 new incidents, 1 joined, 0 reopened, 0 without action, 0 errors',
      ]);
      const incidents = await allIncidents(ws);
      expect(incidents.map((i) => i.events.length).sort()).toEqual([1, 2]);

      const wider = await cli('--hours', '48');
      expect(wider.lines[0]).toBe('Found 1 unprocessed events in the last 48 hours');
    });

    it('prints each event and its decision at verbosity 2, only the counts at 0', async () => {
      const db = await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });
      await event(ws, s, { dedup: 'orders', on: ['technical_service', s.orders] });

      const loud = await cli('--verbosity=2', '--dry-run');
      const quiet = await cli('--verbosity', '0');

      expect(loud.lines).toContain(`Processing event ${db.id}: db firing`);
      expect(loud.lines.some((l) => /^Event \d+ would be processed - Incident/.test(l))).toBe(true);
      expect(quiet.lines).toEqual([
        'Found 2 unprocessed events in the last 24 hours',
        'Successfully processed 2 events',
      ]);
    });
  });

  it('writes the automation log to standard error at verbosity 3', async () => {
    await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });

    const result = await cli('--verbosity=3');

    const logged = result.errors.map((line) => JSON.parse(line));
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'Created new incident', correlation_score: null }),
    );
    expect(result.lines).toContain('Successfully processed 1 events');
  });

  it('logs a dry run only as previews at debug, never as real decisions', async () => {
    const db = await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });
    await event(ws, s, { dedup: 'orders', on: ['technical_service', s.orders] });

    const batch = await cli('--verbosity=3', '--dry-run');
    const one = await cli('--verbosity=3', '--dry-run', '--event-id', String(db.id));

    for (const result of [batch, one]) {
      expect(result.errors.filter((line) => line.includes('Created new incident'))).toEqual([]);
      expect(result.errors.filter((line) => line.includes('correlation_score'))).toEqual([]);
    }
    const previews = batch.errors.map((line) => JSON.parse(line)).filter((r) => r.dry_run);
    expect(previews).toEqual([
      expect.objectContaining({ level: 'DEBUG', msg: 'would create incident', event_id: db.id }),
      expect.objectContaining({
        level: 'DEBUG',
        msg: 'would join incident',
        preview_score: expect.any(Number),
      }),
    ]);
    expect(await allIncidents(ws)).toEqual([]);
  });

  describe('--event-id', () => {
    it('processes one event, then takes no action on it again', async () => {
      const db = await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });

      const first = await cli('--event-id=' + db.id, '--verbosity=2');
      const again = await faultline(['process_incidents', '--event-id', String(db.id)], env);

      expect(first.status).toBe(0);
      expect(first.lines[0]).toBe(`Processing event ${db.id}: db firing`);
      expect(first.lines[1]).toMatch(new RegExp(`^Event ${db.id} processed - Incident \\d+: `));
      expect(first.lines[2]).toMatch(/^ {2}correlation: created, no score \(threshold 0\.3\)/);
      expect(again.lines).toEqual([
        `Processing event ${db.id}: db firing`,
        `No incident action taken for event ${db.id}`,
      ]);
    });

    it('wins over --mode and says what it would do in a dry run', async () => {
      const db = await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });

      const result = await cli('--mode', 'cleanup', '--event-id', String(db.id), '--dry-run');

      expect(result.lines).toEqual([
        'DRY RUN MODE - No changes will be made',
        `Processing event ${db.id}: db firing`,
        'Would process this event for incident creation',
        expect.stringMatching(/^Would create incident: /),
      ]);
      expect(await allIncidents(ws)).toEqual([]);
    });

    it('fails with exit status 1 for an unknown event', async () => {
      const result = await cli('--event-id', '999999');

      expect(result.status).toBe(1);
      expect(result.errors).toEqual(['Event 999999 not found']);
    });

    it('refuses malformed flags with a usage error', async () => {
      const mode = await cli('--mode', 'purge');
      const hours = await cli('--hours', 'many');
      const verbosity = await cli('--verbosity', '7');

      for (const result of [mode, hours, verbosity]) {
        expect(result.status).not.toBe(0);
        expect(result.errors.join('\n')).toMatch(/error: option/);
      }
    });
  });

  describe('--mode reprocess', () => {
    it('processes the firing events in no incident and leaves grouped ones', async () => {
      await event(ws, s, { dedup: 'db', on: ['device', s.dbHost] });
      await cli();
      await event(ws, s, { dedup: 'orders', on: ['technical_service', s.orders] });

      const dry = await cli('--mode=reprocess', '--dry-run');
      const result = await cli('--mode=reprocess');

      expect(dry.lines.slice(0, 3)).toEqual([
        'DRY RUN MODE - No changes will be made',
        'Found 2 events to reprocess in the last 24 hours',
        'Would reprocess all these events for better correlation',
      ]);
      expect(result.lines).toEqual([
        'Found 2 events to reprocess in the last 24 hours',
        'Reprocessed 1 events, updated correlation for 1 events',
      ]);
      expect((await allIncidents(ws)).map((i) => i.events.length)).toEqual([2]);
    });

    it('regroups automatically created incidents with --force-correlate', async () => {
      const payments = await make(ws, 'technical-services/', { name: 'payments' });
      const checkout = await make(ws, 'technical-services/', { name: 'checkout' });
      await event(ws, s, { dedup: 'pay', on: ['technical_service', payments.id] });
      await event(ws, s, { dedup: 'chk', on: ['technical_service', checkout.id] });
      await cli();
      expect(await allIncidents(ws)).toHaveLength(2);
      await make(ws, 'service-dependencies/', {
        name: 'checkout needs payments',
        upstream_service: payments.id,
        downstream_service: checkout.id,
      });

      const dry = await cli('--mode=reprocess', '--force-correlate', '--dry-run');
      expect(dry.lines).toContain('Would move 1 events: 2 incidents before, 1 after');
      expect(await allIncidents(ws)).toHaveLength(2);

      const result = await cli('--mode=reprocess', '--hours=24', '--force-correlate');
      expect(result.lines.slice(0, 2)).toEqual([
        'Found 2 events to reprocess in the last 24 hours',
        'Reprocessed 2 events, updated correlation for 1 events',
      ]);
      const incidents = await allIncidents(ws);
      expect(incidents).toHaveLength(1);
      expect(incidents[0].events).toHaveLength(2);
    });
  });

  describe('--mode cleanup', () => {
    async function incidentIn(status: string, endedHoursAgo: number | null): Promise<any> {
      return make(ws, 'incidents/', {
        title: `${status} ${endedHoursAgo ?? 'now'}`,
        status,
        severity: 'high',
        ...(endedHoursAgo === null ? {} : { resolved_at: hoursAgo(endedHoursAgo) }),
      });
    }

    it('resolves old monitoring incidents and closes old resolved ones', async () => {
      const monitoringOld = await incidentIn('monitoring', 30);
      const monitoringNew = await incidentIn('monitoring', 2);
      const resolvedOld = await incidentIn('resolved', 30);
      const open = await incidentIn('investigating', null);

      const dry = await cli('--mode=cleanup', '--dry-run');
      const unchanged = await allIncidents(ws);
      const result = await cli('--mode=cleanup', '--hours=24');

      expect(dry.lines).toEqual([
        'DRY RUN MODE - No changes will be made',
        'Found 1 monitoring incidents to resolve and 1 resolved incidents to close, ended over 24 hours ago',
        `Would resolve incident ${monitoringOld.id}: monitoring 30`,
        `Would close incident ${resolvedOld.id}: resolved 30`,
      ]);
      expect(unchanged.map((i) => i.status)).toEqual([
        'monitoring',
        'monitoring',
        'resolved',
        'investigating',
      ]);
      expect(result.lines).toEqual([
        'Found 1 monitoring incidents to resolve and 1 resolved incidents to close, ended over 24 hours ago',
        'Resolved 1 incidents',
        'Closed 1 incidents',
        'Cleanup completed: 2 incidents processed',
      ]);
      const status = new Map((await allIncidents(ws)).map((i) => [i.id, i.status]));
      expect(status.get(monitoringOld.id)).toBe('resolved');
      expect(status.get(monitoringNew.id)).toBe('monitoring');
      expect(status.get(resolvedOld.id)).toBe('closed');
      expect(status.get(open.id)).toBe('investigating');
    });

    it('deletes only with --purge: old closed incidents and old cleared events', async () => {
      await incidentIn('closed', 50);
      const closedNew = await incidentIn('closed', 1);
      await event(ws, s, {
        dedup: 'cleared',
        on: ['device', s.dbHost],
        status: 'ok',
        createdAt: hoursAgo(50),
      });
      const firing = await event(ws, s, {
        dedup: 'firing',
        on: ['device', s.dbHost],
        createdAt: hoursAgo(50),
      });

      const plain = await cli('--mode=cleanup');
      const dry = await cli('--mode=cleanup', '--purge', '--dry-run');
      const purge = await cli('--mode=cleanup', '--purge');

      expect(plain.lines).not.toContainEqual(expect.stringMatching(/Deleted/));
      expect(dry.lines).toContain('Would delete 1 closed incidents and 1 cleared events');
      expect(purge.lines).toContain('Deleted 1 closed incidents and 1 cleared events');
      expect((await allIncidents(ws)).map((i) => i.id)).toEqual([closedNew.id]);
      const events = await ws.call('GET', 'events/?limit=100');
      expect(events.body.results.map((e: any) => e.id)).toEqual([firing.id]);
    });
  });

  it('purges only what was closed when the run started, counting each incident once', async () => {
    const old = (status: string, events: number[] = []) =>
      make(ws, 'incidents/', {
        title: `${status} long ago`,
        status,
        severity: 'high',
        resolved_at: hoursAgo(50),
        events,
      });
    const closed = await old('closed');
    const cleared = await event(ws, s, {
      dedup: 'cleared',
      on: ['device', s.dbHost],
      status: 'ok',
      createdAt: hoursAgo(50),
    });
    const resolved = await old('resolved', [cleared.id]);

    const dry = await cli('--mode=cleanup', '--purge', '--dry-run');
    const purge = await cli('--mode=cleanup', '--purge');

    expect(dry.lines).toContain(`Would close incident ${resolved.id}: resolved long ago`);
    expect(dry.lines).toContain('Would delete 1 closed incidents and 0 cleared events');
    expect(purge.lines).toEqual([
      'Found 0 monitoring incidents to resolve and 1 resolved incidents to close, ' +
        'ended over 24 hours ago',
      'Resolved 0 incidents',
      'Closed 1 incidents',
      'Deleted 1 closed incidents and 0 cleared events',
      'Cleanup completed: 2 incidents processed',
    ]);
    // The incident closed now keeps its events until a later run deletes it.
    const left = await allIncidents(ws);
    expect(left.map((i) => [i.id, i.status])).toEqual([[resolved.id, 'closed']]);
    expect(left[0].events.map((e: any) => e.id)).toEqual([cleared.id]);
    expect(left.map((i) => i.id)).not.toContain(closed.id);
  });

  it('decides in step with a running server: no incident is made twice', async () => {
    for (let i = 0; i < 30; i++) {
      const on: [string, number] =
        i % 3 === 0
          ? ['device', s.dbHost]
          : ['technical_service', i % 3 === 1 ? s.orders : s.billing];
      await event(ws, s, { dedup: `storm-${i}`, on });
    }

    const [command, api] = await Promise.all([
      cli('--verbosity=0'),
      ws.call('POST', 'incident-automation/process-unprocessed/', { hours: 1 }),
    ]);

    expect(command.status).toBe(0);
    expect(api.status).toBe(200);
    const incidents = await allIncidents(ws);
    expect(incidents).toHaveLength(1);
    expect(incidents[0].events).toHaveLength(30);
  });
});

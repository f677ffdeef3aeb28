import { sql } from 'kysely';

import { openDatabase } from '../../src/store/database.js';
import type { TopologyIndex } from '../../src/topology/topology-index.js';
import { Random } from '../random.js';
import { generateTopology } from '../topology-generator.js';
import { runPaced } from './load-generator.js';
import { prepareDatabase, type Engine } from './prepare-database.js';
import { startFaultline } from './servers.js';

export interface StormOptions {
  readonly engines: readonly Engine[];
  /** Alerts in the storm, sent over `seconds`. */
  readonly alerts: number;
  readonly seconds: number;
}

export interface StormRow {
  readonly topology: string;
  readonly services: number;
  readonly engine: Engine;
  readonly failures: number;
  readonly alerts_sent: number;
  readonly accepted: number;
  /** How long sending took (the schedule, unless the server held it back). */
  readonly send_seconds: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  /**
   * From when the schedule sent the last alert to when the last one was decided (or answered,
   * if later): the backlog, whether it waited in the server's pipeline or in front of it.
   */
  readonly drain_ms: number;
  readonly incidents: number;
  readonly events_stored: number;
}

interface StormAlert {
  readonly service: string;
  readonly failure: number;
}

/**
 * A storm: `failures` services fail at once; each alerts, and so does every service depending
 * on it within the depth, again and again (a new check each time) until `total` alerts were
 * sent, interleaved as monitoring would send them.
 */
function stormAlerts(topology: TopologyIndex, failures: number, total: number): StormAlert[] {
  const random = new Random(7);
  const ids = [...topology.services.keys()];
  const sets: string[][] = [];
  for (let f = 0; f < failures; f++) {
    const root = random.pick(ids);
    const affected = [root, ...topology.downstream(root).keys()].slice(0, 60);
    sets.push(affected.map((id) => topology.service(id)!.name));
  }
  return Array.from({ length: total }, (_, i) => {
    const failure = i % failures;
    const set = sets[failure]!;
    return { service: set[Math.floor(i / failures) % set.length]!, failure };
  });
}

async function countsOf(url: string): Promise<{ incidents: number; events: number; last: string }> {
  const database = openDatabase(
    url.startsWith('sqlite:')
      ? { kind: 'sqlite', path: url.slice('sqlite:'.length) }
      : { kind: 'postgres', url },
  );
  try {
    const row = await sql<{ incidents: number; events: number; last: string | null }>`
      select (select count(*) from incidents) as incidents,
             (select count(*) from events) as events,
             (select max(processed_at) from events) as last`.execute(database.db);
    const r = row.rows[0]!;
    return { incidents: Number(r.incidents), events: Number(r.events), last: String(r.last) };
  } finally {
    await database.close();
  }
}

async function storm(
  name: string,
  engine: Engine,
  topology: 'demo' | ReturnType<typeof generateTopology>,
  failures: number,
  options: StormOptions,
): Promise<StormRow> {
  const database = await prepareDatabase(engine, topology);
  try {
    const alerts = stormAlerts(database.topology, failures, options.alerts);
    const server = await startFaultline(database.url);
    let result;
    try {
      result = await runPaced({
        port: server.port,
        path: '/api/plugins/business-application/alerts/generic/',
        headers: { authorization: `Token ${database.token}` },
        total: alerts.length,
        ratePerSecond: alerts.length / options.seconds,
        maxInFlight: 256,
        maxSeconds: options.seconds * 6,
        body: (i) =>
          JSON.stringify({
            source: 'storm',
            severity: i % 10 === 0 ? 'critical' : 'high',
            status: 'triggered',
            message: `${alerts[i]!.service}: check ${i} failed`,
            dedup_id: `storm-${i}`,
            target: { type: 'service', identifier: alerts[i]!.service },
          }),
      });
    } finally {
      await server.stop();
    }
    const counts = await countsOf(database.url);
    const row: StormRow = {
      topology: name,
      services: database.topology.services.size,
      engine,
      failures,
      alerts_sent: result.requests,
      accepted: result.ok,
      send_seconds: result.send_seconds,
      p50_ms: result.p50_ms,
      p99_ms: result.p99_ms,
      drain_ms: Math.round(
        Math.max(
          0,
          Date.parse(counts.last) - result.scheduled_end_at,
          result.last_answer_at - result.scheduled_end_at,
        ),
      ),
      incidents: counts.incidents,
      events_stored: counts.events,
    };
    process.stdout.write(
      `  ${name.padEnd(12)} ${engine.padEnd(9)} ${row.accepted}/${row.alerts_sent} accepted in ` +
        `${row.send_seconds} s, p99 ${row.p99_ms} ms, drained ${row.drain_ms} ms after the last was due, ` +
        `${row.incidents} incidents for ${failures} failures\n`,
    );
    return row;
  } finally {
    await database.dispose();
  }
}

/** 10,000 alerts in 10 seconds against the demo topology and a 10,000-service one. */
export async function runStormBench(options: StormOptions): Promise<StormRow[]> {
  const rows: StormRow[] = [];
  const large = generateTopology({ services: 10_000, seed: 42 });
  for (const engine of options.engines) {
    rows.push(await storm('demo', engine, 'demo', 3, options));
    rows.push(await storm('10k', engine, large, 30, options));
  }
  return rows;
}

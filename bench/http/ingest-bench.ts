import { readFileSync } from 'node:fs';

import { DEMO_TOPOLOGY } from '../../src/topology/demo-topology.js';
import { runLoad, type LoadResult } from './load-generator.js';
import { prepareDatabase, type Engine } from './prepare-database.js';
import {
  hasAlertmanager,
  startAlertmanager,
  startEcho,
  startFaultline,
  type RunningServer,
} from './servers.js';
import { alertmanagerWorkload, genericWorkload, type Workload } from './workloads.js';

export interface IngestOptions {
  readonly engines: readonly Engine[];
  /** Measured seconds per workload (after a warm-up). */
  readonly seconds: number;
  /** Connections for single-alert requests; batches use a quarter of them. */
  readonly connections: number;
}

/** One server under one workload. */
export interface IngestRow extends LoadResult {
  readonly server: string;
  readonly workload: string;
  readonly batch: number;
  readonly alerts_per_s: number;
  /** Peak resident memory of the server process so far (MiB). */
  readonly server_peak_rss_mib: number | null;
  /**
   * CPU time the server process spent per alert over the measured seconds (µs, every thread):
   * steadier than the rates on a shared machine, and what the rates come down to.
   */
  readonly server_cpu_us_per_alert: number | null;
}

const BATCH = 100;
const WARM_UP_SECONDS = 1.5;

/** CPU time a process has used so far (ms, user and system), from /proc (Linux); else null. */
function cpuMs(pid: number): number | null {
  try {
    // The fields after the command name, which may itself hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // Linux reports in clock ticks of 10 ms (USER_HZ = 100) on every usual configuration.
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** Peak resident set of a process, from /proc (Linux); null elsewhere. */
function peakRssMib(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match === null ? null : Math.round(Number(match[1]) / 1024);
  } catch {
    return null;
  }
}

async function measure(
  server: RunningServer,
  label: string,
  workload: Workload,
  options: IngestOptions,
  request: { path: string; headers: Record<string, string>; body: (i: number) => string },
): Promise<IngestRow> {
  const connections =
    workload.batch === 1 ? options.connections : Math.max(2, options.connections / 4);
  const load = (offset: number, seconds: number, maxRequests: number) =>
    runLoad({
      port: server.port,
      path: request.path,
      headers: request.headers,
      connections,
      maxRequests,
      maxSeconds: seconds,
      body: (i) => request.body(offset + i),
    });
  const warmUp = await load(0, WARM_UP_SECONDS, 2000);
  const cpuBefore = cpuMs(server.pid);
  const result = await load(warmUp.requests, options.seconds, 200_000);
  const cpuAfter = cpuMs(server.pid);
  const alerts = result.requests * workload.batch;
  const row: IngestRow = {
    ...result,
    server: label,
    workload: workload.name,
    batch: workload.batch,
    alerts_per_s: Math.round(result.requests_per_s * workload.batch),
    server_peak_rss_mib: peakRssMib(server.pid),
    server_cpu_us_per_alert:
      cpuBefore === null || cpuAfter === null || alerts === 0
        ? null
        : Math.round(((cpuAfter - cpuBefore) * 1000) / alerts),
  };
  process.stdout.write(
    `  ${label.padEnd(20)} ${workload.name.padEnd(34)} ${String(row.requests_per_s).padStart(7)} req/s` +
      ` ${String(row.alerts_per_s).padStart(8)} alerts/s  p50 ${row.p50_ms} ms  p99 ${row.p99_ms} ms` +
      `  ${row.server_cpu_us_per_alert ?? '?'} µs CPU/alert` +
      `${row.failed > 0 ? `  FAILED ${row.failed}` : ''}\n`,
  );
  return row;
}

function workloads(run: string, devices: readonly string[]): Workload[] {
  return [
    genericWorkload(`${run}-g1`, devices, 1),
    genericWorkload(`${run}-g${BATCH}`, devices, BATCH),
    alertmanagerWorkload(`${run}-a1`, devices, 1),
    alertmanagerWorkload(`${run}-a${BATCH}`, devices, BATCH),
  ];
}

async function withServer<T>(
  start: () => Promise<RunningServer>,
  work: (s: RunningServer) => Promise<T>,
) {
  const server = await start();
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

/**
 * Sustained ingest over HTTP on 127.0.0.1: a bare Fastify server, Prometheus Alertmanager and
 * Faultline on each database, measured in the same run with the same alerts and load generator.
 */
export async function runIngestBench(options: IngestOptions): Promise<IngestRow[]> {
  const devices = DEMO_TOPOLOGY.devices.map(([name]) => name);
  const rows: IngestRow[] = [];
  const [single, batch] = workloads('echo', devices);

  await withServer(startEcho, async (echo) => {
    for (const w of [single!, batch!]) {
      rows.push(await measure(echo, 'fastify-echo', w, options, { ...w, headers: {} }));
    }
  });
  if (hasAlertmanager()) {
    await withServer(startAlertmanager, async (am) => {
      for (const w of workloads('am', devices).slice(0, 2)) {
        const request = { path: '/api/v2/alerts', headers: {}, body: w.alertmanagerBody };
        const name = `api/v2/alerts, ${w.batch} alert${w.batch === 1 ? '' : 's'}/request`;
        rows.push(await measure(am, 'alertmanager', { ...w, name }, options, request));
      }
    });
  } else {
    process.stdout.write('  alertmanager: prometheus-alertmanager is not installed; skipped\n');
  }
  for (const engine of options.engines) {
    const database = await prepareDatabase(engine, 'demo');
    try {
      await withServer(
        () => startFaultline(database.url),
        async (server) => {
          const headers = { authorization: `Token ${database.token}` };
          for (const w of workloads(`fl-${engine}`, devices)) {
            rows.push(await measure(server, `faultline-${engine}`, w, options, { ...w, headers }));
          }
        },
      );
    } finally {
      await database.dispose();
    }
  }
  return rows;
}

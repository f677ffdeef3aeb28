/**
 * `npm run bench`: speed and memory, in one command (under ten minutes on two cores).
 *
 * 1. Correlation latency per event in process, on generated topologies of 1,000 / 10,000 /
 *    100,000 services (five times as many devices, and VMs), with 100 and 10,000 open incidents,
 *    each size in its own process for its peak memory.
 * 2. HTTP ingest on 127.0.0.1 through a bounded load generator: a bare Fastify server,
 *    Prometheus Alertmanager and Faultline on SQLite and on PostgreSQL, same alerts, same run.
 * 3. A storm: 10,000 alerts in 10 seconds against the demo topology and a 10,000-service one.
 *
 * Options: --parts latency,ingest,storm  --sizes 1000,10000,100000  --incidents 100,10000
 *          --engines sqlite,postgres  --seconds 8  --connections 64
 * Writes bench/results/speed-latest.json and prints a table.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

import { runIngestBench, type IngestRow } from './http/ingest-bench.js';
import { postgresReachable, type Engine } from './http/prepare-database.js';
import { runStormBench, type StormRow } from './http/storm-bench.js';
import type { LatencyResult } from './correlation-latency.js';
import { checkTargets, printSummary } from './speed-report.js';

function options() {
  const { values } = parseArgs({
    options: {
      parts: { type: 'string', default: 'latency,ingest,storm' },
      sizes: { type: 'string', default: '1000,10000,100000' },
      incidents: { type: 'string', default: '100,1000,10000' },
      engines: { type: 'string', default: 'sqlite,postgres' },
      seconds: { type: 'string', default: '8' },
      connections: { type: 'string', default: '64' },
    },
  });
  const list = (text: string) => text.split(',').filter((s) => s !== '');
  return {
    parts: new Set(list(values.parts)),
    sizes: list(values.sizes).map(Number),
    incidents: list(values.incidents).map(Number),
    engines: list(values.engines) as Engine[],
    seconds: Number(values.seconds),
    connections: Number(values.connections),
  };
}

/** One size of the latency benchmark, measured in a child process. */
export interface SizeResult {
  readonly services: number;
  readonly built_ms: number;
  readonly peak_rss_mib: number;
  readonly results: LatencyResult[];
}

function latencyPart(sizes: readonly number[], incidents: readonly number[]): SizeResult[] {
  const out: SizeResult[] = [];
  for (const size of sizes) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/latency-child.ts', String(size), incidents.join(',')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 },
    );
    if (child.status !== 0) throw new Error(`latency at ${size} services failed: ${child.status}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as SizeResult;
    for (const r of result.results) {
      process.stdout.write(
        `  ${String(size).padStart(7)} services ${String(r.openIncidents).padStart(6)} open incidents:` +
          ` p50 ${r.p50_us} µs, p99 ${r.p99_us} µs, peak RSS ${result.peak_rss_mib} MiB\n`,
      );
    }
    out.push(result);
  }
  return out;
}

async function main(): Promise<void> {
  const o = options();
  const started = Date.now();
  const machine = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  process.stdout.write(`Faultline speed benchmark on ${machine.cpus} × ${machine.cpu_model}\n`);

  let latency: SizeResult[] = [];
  let ingest: IngestRow[] = [];
  let storms: StormRow[] = [];
  if (o.parts.has('latency')) {
    process.stdout.write('\nCorrelation decision per event, in process\n');
    latency = latencyPart(o.sizes, o.incidents);
  }
  let engines = o.engines;
  if (engines.includes('postgres') && !(await postgresReachable())) {
    process.stdout.write('\nPostgreSQL is not reachable: its runs are skipped\n');
    engines = engines.filter((e) => e !== 'postgres');
  }
  if (o.parts.has('ingest')) {
    process.stdout.write('\nHTTP ingest on 127.0.0.1 (closed loop, bounded in count and time)\n');
    ingest = await runIngestBench({ engines, seconds: o.seconds, connections: o.connections });
  }
  if (o.parts.has('storm')) {
    process.stdout.write('\nStorm: 10,000 alerts in 10 s\n');
    storms = await runStormBench({ engines, alerts: 10_000, seconds: 10 });
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  const targets = checkTargets(latency, ingest, storms);
  printSummary(latency, ingest, storms, targets);
  process.stdout.write(`\n${seconds} s in all\n`);

  const report = {
    generated: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    seconds,
    options: { ...o, parts: [...o.parts] },
    latency,
    ingest,
    storms,
    targets,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/speed-latest.json', `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write('Wrote bench/results/speed-latest.json\n');
}

await main();

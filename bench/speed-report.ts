import type { IngestRow } from './http/ingest-bench.js';
import type { StormRow } from './http/storm-bench.js';
import type { SizeResult } from './run.js';

/** One target of the speed issues: met or not, with the measured figure. */
export interface TargetCheck {
  readonly target: string;
  readonly met: boolean | null;
  readonly measured: string;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function worstP99(latency: readonly SizeResult[], services: number): number | null {
  const size = latency.find((s) => s.services === services);
  if (size === undefined) return null;
  return Math.max(...size.results.map((r) => r.p99_us));
}

function p99At(latency: readonly SizeResult[], services: number, incidents: number) {
  return latency
    .find((s) => s.services === services)
    ?.results.find((r) => r.openIncidents === incidents && r.mode === 'faultline')?.p99_us;
}

function latencyTargets(latency: readonly SizeResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at10k = worstP99(latency, 10_000);
  const at100k = worstP99(latency, 100_000);
  const us = (v: number | null) => (v === null ? 'not measured' : `${v} µs`);
  checks.push({
    target: 'correlation p99 ≤ 1 ms at 10k services',
    met: at10k === null ? null : at10k <= 1000,
    measured: us(at10k),
  });
  checks.push({
    target: 'correlation p99 ≤ 2 ms at 100k services',
    met: at100k === null ? null : at100k <= 2000,
    measured: us(at100k),
  });
  const growth = at10k !== null && at100k !== null ? at100k / at10k : null;
  checks.push({
    target: 'p99 growth 10k → 100k services ≤ 2×',
    met: growth === null ? null : growth <= 2,
    measured: growth === null ? 'not measured' : `${growth.toFixed(2)}×`,
  });
  const few = p99At(latency, 10_000, 1000);
  const many = p99At(latency, 10_000, 10_000);
  const flat = few !== undefined && many !== undefined ? many / few : null;
  checks.push({
    target: 'flat in open incidents: p99 at 10,000 ≤ 2 × at 1,000 (10k services)',
    met: flat === null ? null : flat <= 2,
    measured: flat === null ? 'not measured' : `${flat.toFixed(2)}×`,
  });
  const rss = latency.find((s) => s.services === 100_000)?.peak_rss_mib ?? null;
  checks.push({
    target: 'peak RSS ≤ 1.5 GiB at 100k services, 500k devices',
    met: rss === null ? null : rss <= 1536,
    measured: rss === null ? 'not measured' : `${rss} MiB`,
  });
  return checks;
}

function row(ingest: readonly IngestRow[], server: string, workload: RegExp, batch: number) {
  return ingest.find((r) => r.server === server && r.batch === batch && workload.test(r.workload));
}

function ingestTargets(ingest: readonly IngestRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const am1 = row(ingest, 'alertmanager', /./, 1);
  const am100 = row(ingest, 'alertmanager', /./, 100);
  const echo1 = row(ingest, 'fastify-echo', /./, 1);
  const compare = (target: string, measured: number | undefined, floor: number | undefined) =>
    checks.push({
      target,
      met: measured === undefined || floor === undefined ? null : measured >= floor,
      measured:
        measured === undefined || floor === undefined
          ? 'not measured'
          : `${measured} vs ${Math.round(floor)}`,
    });
  const sqlite1 = row(ingest, 'faultline-sqlite', /generic/, 1);
  const sqlite100 = row(ingest, 'faultline-sqlite', /generic/, 100);
  const pg1 = row(ingest, 'faultline-postgres', /generic/, 1);
  const pg100 = row(ingest, 'faultline-postgres', /generic/, 100);
  compare('SQLite single-alert req/s ≥ Alertmanager', sqlite1?.requests_per_s, am1?.requests_per_s);
  checks.push({
    target: 'SQLite single-alert p99 < Alertmanager p99',
    met: sqlite1 === undefined || am1 === undefined ? null : sqlite1.p99_ms < am1.p99_ms,
    measured:
      sqlite1 === undefined || am1 === undefined
        ? 'not measured'
        : `${sqlite1.p99_ms} ms vs ${am1.p99_ms} ms`,
  });
  compare(
    'SQLite batch alerts/s ≥ Alertmanager batch',
    sqlite100?.alerts_per_s,
    am100?.alerts_per_s,
  );
  compare(
    'PostgreSQL single-alert req/s ≥ ½ Alertmanager',
    pg1?.requests_per_s,
    am1 && am1.requests_per_s / 2,
  );
  compare(
    'PostgreSQL batch alerts/s ≥ ½ Alertmanager batch',
    pg100?.alerts_per_s,
    am100 && am100.alerts_per_s / 2,
  );
  compare(
    'SQLite single-alert req/s ≥ 40 % of bare Fastify (issue 6 floor)',
    sqlite1?.requests_per_s,
    echo1 && echo1.requests_per_s * 0.4,
  );
  compare('SQLite batch ≥ 20,000 alerts/s (issue 6 floor)', sqlite100?.alerts_per_s, 20_000);
  return checks;
}

function stormTargets(storms: readonly StormRow[]): TargetCheck[] {
  return storms.map((s) => ({
    target: `storm on ${s.topology} (${s.engine}): drained within 1 s of the last alert's due time`,
    met: s.accepted === s.alerts_sent && s.drain_ms <= 1000,
    measured: `${s.drain_ms} ms; ${s.accepted}/${s.alerts_sent} accepted in ${s.send_seconds} s`,
  }));
}

export function checkTargets(
  latency: readonly SizeResult[],
  ingest: readonly IngestRow[],
  storms: readonly StormRow[],
): TargetCheck[] {
  return [...latencyTargets(latency), ...ingestTargets(ingest), ...stormTargets(storms)];
}

function ratio(value: number, base: IngestRow | undefined, field: 'requests_per_s') {
  return base === undefined ? '' : `${((value / base[field]) * 100).toFixed(0)} %`;
}

export function printSummary(
  latency: readonly SizeResult[],
  ingest: readonly IngestRow[],
  storms: readonly StormRow[],
  targets: readonly TargetCheck[],
): void {
  if (ingest.length > 0) {
    out(
      '\nserver               workload                            req/s  alerts/s  p50 ms  p99 ms  vs echo  vs AM  CPU µs/alert',
    );
    for (const r of ingest) {
      const echo = row(ingest, 'fastify-echo', /./, r.batch);
      const am = row(ingest, 'alertmanager', /./, r.batch);
      out(
        `${r.server.padEnd(20)} ${r.workload.padEnd(34)} ${String(r.requests_per_s).padStart(6)}` +
          ` ${String(r.alerts_per_s).padStart(9)} ${String(r.p50_ms).padStart(7)} ${String(r.p99_ms).padStart(7)}` +
          ` ${ratio(r.requests_per_s, echo, 'requests_per_s').padStart(8)} ${ratio(r.requests_per_s, am, 'requests_per_s').padStart(6)}` +
          ` ${String(r.server_cpu_us_per_alert ?? '').padStart(13)}`,
      );
    }
  }
  out('\ntargets');
  for (const t of targets) {
    const mark = t.met === null ? '  -  ' : t.met ? ' met ' : 'MISSED';
    out(`  ${mark}  ${t.target}: ${t.measured}`);
  }
}

/**
 * `npm run bench`: speed and memory. Per-event correlation latency in process, on generated
 * topologies, with few and many open incidents.
 *
 * Options: --sizes 1000,10000  --incidents 100,1000,10000  --plugin-incidents 100,1000
 * (the plugin's rule, for comparison, on the largest size; its cost grows with open incidents)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { runCorrelationLatency, type LatencyResult } from './correlation-latency.js';

function options() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000' },
      incidents: { type: 'string', default: '100,1000,10000' },
      'plugin-incidents': { type: 'string', default: '100,1000' },
    },
  });
  const list = (text: string) => text.split(',').map(Number);
  return {
    sizes: list(values.sizes),
    incidents: list(values.incidents),
    pluginIncidents: list(values['plugin-incidents']),
  };
}

function printLatency(results: readonly LatencyResult[]): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('\nCorrelation decision per event, in process (candidates + scoring), warm indexes');
  out(
    'rule       services  devices  dependencies  open incidents  p50 µs  p99 µs  max µs  candidates',
  );
  for (const r of results) {
    out(
      `${r.mode.padEnd(10)} ${String(r.services).padStart(8)} ${String(r.devices).padStart(8)}` +
        ` ${String(r.dependencies).padStart(13)} ${String(r.openIncidents).padStart(15)}` +
        ` ${String(r.p50_us).padStart(7)} ${String(r.p99_us).padStart(7)}` +
        ` ${String(r.max_us).padStart(7)} ${String(r.mean_candidates).padStart(11)}`,
    );
  }
}

async function main(): Promise<void> {
  const o = options();
  const started = Date.now();
  const latency: LatencyResult[] = [];
  latency.push(...runCorrelationLatency(o.sizes, o.incidents, 'faultline'));
  const largest = Math.max(...o.sizes);
  latency.push(...runCorrelationLatency([largest], o.pluginIncidents, 'plugin'));
  printLatency(latency);

  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\npeak RSS ${rss} MiB; ${seconds} s\n`);
  const report = {
    generated: new Date().toISOString(),
    seconds,
    options: o,
    rss_mib: rss,
    latency,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/speed-latest.json', `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write('Wrote bench/results/speed-latest.json\n');
}

await main();

/**
 * One topology size of the correlation latency benchmark, in a process of its own so that its
 * peak memory is its own. Usage: tsx bench/latency-child.ts SERVICES INCIDENTS[,…] [PLUGIN,…]
 * Prints one JSON line: the results and the process's peak resident memory.
 */
import { indexFor, measureDecisions } from './correlation-latency.js';

const services = Number(process.argv[2]);
const list = (text: string | undefined) => (text ? text.split(',').map(Number) : []);
const incidents = list(process.argv[3]);
const pluginIncidents = list(process.argv[4]);

const started = Date.now();
const { index, space } = indexFor(services);
const built_ms = Date.now() - started;
const results = [
  ...incidents.map((n) => measureDecisions(space, index, n, 3000, 'faultline')),
  ...pluginIncidents.map((n) => measureDecisions(space, index, n, 3000, 'plugin')),
];
const peak_rss_mib = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ services, built_ms, peak_rss_mib, results })}\n`);

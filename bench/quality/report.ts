import { FAMILIES } from './scenarios.js';
import type { QualityMetrics } from './metrics.js';

export interface Row {
  readonly mode: string;
  readonly family: string;
  readonly seed: number;
  readonly metrics: QualityMetrics;
}

type Key = 'f1' | 'precision' | 'recall' | 'compression' | 'compressionDistinct';
type RootKey = 'rootTop1' | 'rootTop1Identifiable' | 'rootTop3' | 'rootTop3Identifiable';

export interface FamilySummary {
  readonly mode: string;
  readonly family: string;
  readonly seeds: number;
  readonly alerts: number;
  readonly worst: Record<Key | RootKey, number>;
  readonly mean: Record<Key | RootKey, number>;
  readonly missed: number;
  readonly merged: number;
}

const KEYS: Array<Key | RootKey> = [
  'f1',
  'precision',
  'recall',
  'compression',
  'compressionDistinct',
  'rootTop1',
  'rootTop1Identifiable',
  'rootTop3',
  'rootTop3Identifiable',
];

/** Worst and mean of every figure over the seeds, per mode and family, plus "all". */
export function summarise(rows: readonly Row[]): FamilySummary[] {
  const out: FamilySummary[] = [];
  const modes = [...new Set(rows.map((r) => r.mode))];
  for (const mode of modes) {
    for (const family of [...FAMILIES.map((f) => f.name), 'all']) {
      const mine = rows.filter((r) => r.mode === mode && (family === 'all' || r.family === family));
      if (mine.length === 0) continue;
      const worst = {} as Record<Key | RootKey, number>;
      const mean = {} as Record<Key | RootKey, number>;
      for (const key of KEYS) {
        const values = mine.map((r) => r.metrics[key]);
        worst[key] = Math.min(...values);
        mean[key] = values.reduce((a, b) => a + b, 0) / values.length;
      }
      out.push({
        mode,
        family,
        seeds: mine.length,
        alerts: mine.reduce((sum, r) => sum + r.metrics.alerts, 0),
        worst,
        mean,
        missed: Math.max(...mine.map((r) => r.metrics.missed)),
        merged: Math.max(...mine.map((r) => r.metrics.merged)),
      });
    }
  }
  return out;
}

const pct = (n: number) => `${(n * 100).toFixed(1)}`.padStart(6);

/** One table per mode: a line per family with worst / mean over the seeds. */
export function printTables(summary: readonly FamilySummary[], options: object): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nGrouping quality (${JSON.stringify(options)}); figures in %, worst / mean over seeds`);
  for (const mode of [...new Set(summary.map((s) => s.mode))]) {
    out(`\n${mode} rule`);
    out(
      'family        alerts    F1 worst/mean    precision   recall   missed merged' +
        '  compression(deliv/distinct)  root top-1 (identifiable)  top-3 (identifiable)',
    );
    for (const s of summary.filter((x) => x.mode === mode)) {
      out(
        `${s.family.padEnd(13)} ${String(s.alerts).padStart(6)}  ${pct(s.worst.f1)} /${pct(s.mean.f1)}` +
          `  ${pct(s.worst.precision)}   ${pct(s.worst.recall)}   ${String(s.missed).padStart(4)}` +
          `   ${String(s.merged).padStart(4)}  ${pct(s.worst.compression)} /${pct(s.worst.compressionDistinct)}` +
          `            ${pct(s.worst.rootTop1)} (${pct(s.worst.rootTop1Identifiable)})` +
          `        ${pct(s.worst.rootTop3)} (${pct(s.worst.rootTop3Identifiable)})`,
      );
    }
  }
}

/** The targets for Faultline's rule, each with the worst figure over every seed. */
export function checkTargets(summary: readonly FamilySummary[]): Array<[string, boolean, string]> {
  const all = summary.find((s) => s.mode === 'faultline' && s.family === 'all');
  const storm = summary.find((s) => s.mode === 'faultline' && s.family === 'storm');
  if (all === undefined || storm === undefined) return [];
  const p = (n: number) => `${(n * 100).toFixed(1)} %`;
  return [
    ['pairwise F1 >= 95 % on every seed', all.worst.f1 >= 0.95, p(all.worst.f1)],
    ['no missed failure', all.missed === 0, String(all.missed)],
    [
      'root cause top-1 >= 90 % (identifiable)',
      all.worst.rootTop1Identifiable >= 0.9,
      `${p(all.worst.rootTop1Identifiable)} (strict ${p(all.worst.rootTop1)})`,
    ],
    [
      'root cause top-3 >= 98 % (identifiable)',
      all.worst.rootTop3Identifiable >= 0.98,
      `${p(all.worst.rootTop3Identifiable)} (strict ${p(all.worst.rootTop3)})`,
    ],
    ['compression >= 90 % on storms', storm.worst.compression >= 0.9, p(storm.worst.compression)],
  ];
}

import type { Scenario } from './failure-model.js';

/** What the server made of one alert (by dedup id). */
export interface Observation {
  readonly incidentId: number | null;
  readonly status: string;
}

export interface QualityMetrics {
  readonly alerts: number;
  readonly deliveries: number;
  readonly incidents: number;
  readonly failures: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly missed: number;
  readonly merged: number;
  /** 1 − incidents ÷ alert deliveries (every message a tool sent). */
  readonly compression: number;
  /** 1 − incidents ÷ distinct alerts. */
  readonly compressionDistinct: number;
  readonly rootTop1: number;
  readonly rootTop3: number;
  /** Top-1 and top-3 counting what the alerts can identify (see Failure.identifiable). */
  readonly rootTop1Identifiable: number;
  readonly rootTop3Identifiable: number;
  /** Alerts inside maintenance that were not suppressed (should be 0). */
  readonly maintenanceLeaks: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

function countBy<K>(items: Iterable<K>): Map<K, number> {
  const out = new Map<K, number>();
  for (const item of items) out.set(item, (out.get(item) ?? 0) + 1);
  return out;
}

/** The label that holds most items of a group (ties: the first seen). */
function plurality<K, L>(rows: Array<[K, L]>): Map<K, L> {
  const counts = new Map<K, Map<L, number>>();
  for (const [group, label] of rows) {
    const inner = counts.get(group) ?? new Map<L, number>();
    inner.set(label, (inner.get(label) ?? 0) + 1);
    counts.set(group, inner);
  }
  const out = new Map<K, L>();
  for (const [group, inner] of counts) {
    out.set(group, [...inner.entries()].sort((a, b) => b[1] - a[1])[0]![0]);
  }
  return out;
}

/**
 * Pairwise precision/recall/F1 over the alerts a correct system must group (valid targets, not
 * in maintenance), missed and merged failures, compression, and root-cause accuracy.
 */
export function scoreScenario(
  scenario: Scenario,
  observed: ReadonlyMap<string, Observation>,
  rootCauses: ReadonlyMap<number, readonly number[]>,
): QualityMetrics {
  const labelOf = new Map<string, string>();
  const deliveries = new Map<string, number>();
  let maintenanceLeaks = 0;
  for (const alert of scenario.alerts) {
    if (alert.kind === 'maintenance') {
      const leaked = observed.get(alert.dedupId)?.incidentId != null;
      if (alert.status === 'triggered' && leaked) maintenanceLeaks++;
      continue;
    }
    if (alert.kind === 'unknown') continue;
    if (observed.get(alert.dedupId)?.status === 'suppressed') continue;
    labelOf.set(alert.dedupId, alert.failure);
    deliveries.set(alert.dedupId, (deliveries.get(alert.dedupId) ?? 0) + 1);
  }

  // An alert without an incident is a group of its own.
  const rows: Array<[string, string]> = [...labelOf].map(([dedup, failure]) => {
    const incident = observed.get(dedup)?.incidentId ?? null;
    return [incident === null ? `none:${dedup}` : `i${incident}`, failure];
  });
  const cells = countBy(rows.map(([group, label]) => `${group}|${label}`));
  const groups = countBy(rows.map(([group]) => group));
  const labels = countBy(rows.map(([, label]) => label));
  const tp = [...cells.values()].reduce((sum, n) => sum + pairs(n), 0);
  const predicted = [...groups.values()].reduce((sum, n) => sum + pairs(n), 0);
  const actual = [...labels.values()].reduce((sum, n) => sum + pairs(n), 0);
  const precision = predicted === 0 ? 1 : tp / predicted;
  const recall = actual === 0 ? 1 : tp / actual;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  const leader = plurality(rows.filter(([g]) => g.startsWith('i')));
  const leading = new Set(leader.values());
  const failures = [...labels.keys()];
  const missed = failures.filter((f) => !leading.has(f)).length;
  const home = plurality(rows.map(([g, l]) => [l, g] as [string, string]));
  const merged = failures.filter((f) => {
    const g = home.get(f)!;
    return g.startsWith('i') && leader.get(g) !== f;
  }).length;

  const incidents = [...groups.keys()].filter((g) => g.startsWith('i')).length;
  const totalDeliveries = [...deliveries.values()].reduce((a, b) => a + b, 0);
  const rca = rootCauseAccuracy(scenario, new Set(failures), leader, cells, rootCauses);
  return {
    alerts: labelOf.size,
    deliveries: totalDeliveries,
    incidents,
    failures: failures.length,
    precision,
    recall,
    f1,
    missed,
    merged,
    compression: 1 - incidents / Math.max(1, totalDeliveries),
    compressionDistinct: 1 - incidents / Math.max(1, labelOf.size),
    rootTop1: rca.top1,
    rootTop3: rca.top3,
    rootTop1Identifiable: rca.identifiable,
    rootTop3Identifiable: rca.identifiable3,
    maintenanceLeaks,
  };
}

/** Share of real failures (not noise) whose leading incident names a root service first / in 3. */
function rootCauseAccuracy(
  scenario: Scenario,
  evaluated: ReadonlySet<string>,
  leader: ReadonlyMap<string, string>,
  cells: ReadonlyMap<string, number>,
  rootCauses: ReadonlyMap<number, readonly number[]>,
): { top1: number; top3: number; identifiable: number; identifiable3: number } {
  const byFailure = new Map<string, number[]>();
  for (const [group, failure] of leader) {
    byFailure.set(failure, [...(byFailure.get(failure) ?? []), Number(group.slice(1))]);
  }
  let top1 = 0;
  let top3 = 0;
  let identifiable = 0;
  let identifiable3 = 0;
  let total = 0;
  for (const failure of scenario.failures) {
    if (failure.kind === 'noise' || !evaluated.has(failure.id)) continue;
    total++;
    const incidents = byFailure.get(failure.id);
    if (incidents === undefined) continue;
    // The incident it leads with most of its alerts.
    const alertsIn = (incident: number) => cells.get(`i${incident}|${failure.id}`) ?? 0;
    const main = incidents.reduce((a, b) => (alertsIn(b) > alertsIn(a) ? b : a));
    const named = rootCauses.get(main) ?? [];
    if (failure.rootServices.includes(named[0] ?? -1)) top1++;
    if (failure.identifiable.includes(named[0] ?? -1)) identifiable++;
    if (named.slice(0, 3).some((s) => failure.identifiable.includes(s))) identifiable3++;
    if (named.slice(0, 3).some((s) => failure.rootServices.includes(s))) top3++;
  }
  const share = (n: number) => (total === 0 ? 1 : n / total);
  return {
    top1: share(top1),
    top3: share(top3),
    identifiable: share(identifiable),
    identifiable3: share(identifiable3),
  };
}

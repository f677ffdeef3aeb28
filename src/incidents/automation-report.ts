import { sql } from 'kysely';

import type { AutomationSettings } from '../config/settings.js';
import { lastDecisionAt } from '../events/event-rows.js';
import { countUnprocessed } from '../events/unprocessed-events.js';
import type { CorrelationRecord } from '../events/event-input.js';
import type { Db } from '../store/database.js';
import { OPEN_INCIDENT_STATUSES } from './incident-spec.js';

const HOUR_MS = 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString();

const asCount = (row: { count: unknown }) => Number(row.count);

async function eventsSince(ex: Db, since: string): Promise<number> {
  const row = await ex
    .selectFrom('events')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return asCount(row);
}

/** Incidents created in [from, to). */
async function incidentsCreated(ex: Db, from: string, to: string | null): Promise<number> {
  let query = ex
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('created', '>=', from);
  if (to !== null) query = query.where('created', '<', to);
  return asCount(await query.executeTakeFirstOrThrow());
}

async function openIncidents(ex: Db): Promise<number> {
  const row = await ex
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('status', 'in', [...OPEN_INCIDENT_STATUSES])
    .executeTakeFirstOrThrow();
  return asCount(row);
}

/** What `incident-automation/status/` answers. */
export interface StatusReport {
  readonly automation_enabled: boolean;
  readonly auto_resolve_enabled: boolean;
  readonly notifications_enabled: boolean;
  readonly correlation_mode: string;
  readonly correlation_window_minutes: number;
  readonly correlation_threshold: number;
  readonly max_dependency_depth: number;
  readonly minimum_severity: string;
  readonly events_last_24h: number;
  readonly incidents_last_24h: number;
  readonly open_incidents: number;
  readonly unprocessed_events: number;
  readonly recent_incident_trend: { readonly last_24h: number; readonly previous_24h: number };
  readonly last_processed_at: string | null;
  readonly configuration_valid: boolean;
  readonly issues: readonly string[];
}

/** The automation's settings and the last day's activity. */
export async function automationStatus(
  ex: Db,
  settings: AutomationSettings,
  issues: readonly string[],
  now: Date,
): Promise<StatusReport> {
  const dayAgo = iso(now.getTime() - 24 * HOUR_MS);
  const twoDaysAgo = iso(now.getTime() - 48 * HOUR_MS);
  const eventsLastDay = await eventsSince(ex, dayAgo);
  const incidentsLastDay = await incidentsCreated(ex, dayAgo, null);
  const incidentsDayBefore = await incidentsCreated(ex, twoDaysAgo, dayAgo);
  const open = await openIncidents(ex);
  const unprocessed = await countUnprocessed(ex, {
    since: dayAgo,
    minimumSeverity: settings.requireMinimumSeverity,
  });
  const last = await lastDecisionAt(ex);
  return {
    automation_enabled: settings.enabled,
    auto_resolve_enabled: settings.autoResolve,
    notifications_enabled: settings.notificationsEnabled,
    correlation_mode: settings.correlationMode,
    correlation_window_minutes: settings.correlationWindowMinutes,
    correlation_threshold: settings.correlationThreshold,
    max_dependency_depth: settings.maxDependencyDepth,
    minimum_severity: settings.requireMinimumSeverity,
    events_last_24h: eventsLastDay,
    incidents_last_24h: incidentsLastDay,
    open_incidents: open,
    unprocessed_events: unprocessed,
    recent_incident_trend: { last_24h: incidentsLastDay, previous_24h: incidentsDayBefore },
    last_processed_at: last,
    configuration_valid: issues.length === 0,
    issues,
  };
}

/** Why events in the window are in no incident. */
export const UNCORRELATED_REASONS = [
  'unknown_target',
  'below_minimum_severity',
  'suppressed_by_maintenance',
  'automation_disabled',
  'not_firing',
  'not_processed',
] as const;
type UncorrelatedReason = (typeof UNCORRELATED_REASONS)[number];

function reasonOf(status: string, record: CorrelationRecord | null): UncorrelatedReason {
  const reason = record?.reason ?? '';
  if (reason.startsWith('unknown target')) return 'unknown_target';
  if (reason.startsWith('below minimum severity')) return 'below_minimum_severity';
  if (reason.startsWith('suppressed by maintenance') || status === 'suppressed') {
    return 'suppressed_by_maintenance';
  }
  if (reason.startsWith('automation disabled')) return 'automation_disabled';
  if (status !== 'triggered') return 'not_firing';
  return 'not_processed';
}

/** Most incidents listed in `correlation_patterns` (the largest first). */
export const MAX_PATTERNS = 100;
/** How many services `top_services` lists. */
export const TOP_SERVICES = 10;

export interface CorrelationPattern {
  readonly incident_id: number;
  readonly title: string;
  readonly event_count: number;
  readonly service_count: number;
  readonly duration_minutes: number;
}

/** What `incident-automation/correlation-analysis/` answers. */
export interface CorrelationAnalysis {
  readonly time_window_hours: number;
  readonly total_events: number;
  readonly total_incidents: number;
  readonly correlated_events: number;
  readonly noise_reduction: number;
  readonly events_per_incident: Record<string, number>;
  readonly incidents_by_service_count: Record<string, number>;
  readonly correlation_patterns: CorrelationPattern[];
  readonly correlation_patterns_total: number;
  /**
   * The decisions of the correlated events by score: a join or reopen by the chosen incident's,
   * a creation by its best candidate's (below the threshold), in "0.0-0.1" when it had none.
   */
  readonly score_distribution: Record<string, number>;
  readonly correlation_threshold: number;
  readonly uncorrelated_events: { readonly total: number } & Record<UncorrelatedReason, number>;
  readonly top_services: Array<{ id: number; name: string; incident_count: number }>;
  readonly unprocessed_events: number;
}

function histogram(values: Iterable<number>): Record<string, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Object.fromEntries(
    [...counts.entries()].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]),
  );
}

/** Buckets "0.0-0.1" … "0.9-1.0" (the last one closed); every bucket is listed. */
function scoreBuckets(scores: readonly number[]): Record<string, number> {
  const buckets: Record<string, number> = {};
  const label = (i: number) => `${(i / 10).toFixed(1)}-${((i + 1) / 10).toFixed(1)}`;
  for (let i = 0; i < 10; i++) buckets[label(i)] = 0;
  for (const score of scores) {
    const i = Math.min(9, Math.max(0, Math.floor(score * 10 + 1e-9)));
    buckets[label(i)]! += 1;
  }
  return buckets;
}

const parse = (value: unknown): CorrelationRecord | null =>
  value == null
    ? null
    : ((typeof value === 'string' ? JSON.parse(value) : value) as CorrelationRecord);

/** The events of the window: how many, how many in incidents, their scores, why the rest not. */
async function eventOutcomes(ex: Db, since: string) {
  const events = await ex
    .selectFrom('events as e')
    .select(['e.id', 'e.status', 'e.correlation'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('incident_events as ie')
            .select('ie.event_id')
            .whereRef('ie.event_id', '=', 'e.id'),
        )
        .as('linked'),
    )
    .where('e.created_at', '>=', since)
    .execute();
  const scores: number[] = [];
  const uncorrelated = Object.fromEntries(UNCORRELATED_REASONS.map((r) => [r, 0])) as Record<
    UncorrelatedReason,
    number
  >;
  let correlated = 0;
  for (const event of events) {
    const record = parse(event.correlation);
    if (event.linked === true || Number(event.linked) === 1) {
      correlated += 1;
      // A created decision counts by its best candidate's score, 0 when it had none.
      if (record !== null && record.action !== 'skipped') scores.push(record.score ?? 0);
    } else {
      uncorrelated[reasonOf(String(event.status), record)] += 1;
    }
  }
  const holding = await ex
    .selectFrom('incident_events as ie')
    .innerJoin('events as e', 'e.id', 'ie.event_id')
    .select((eb) => eb.fn.count('ie.incident_id').distinct().as('count'))
    .where('e.created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return {
    total: events.length,
    correlated,
    holdingIncidents: Number(holding.count),
    scores,
    uncorrelated,
  };
}

/** The incidents opened in the window, with their sizes and durations. */
async function incidentShapes(ex: Db, since: string, now: Date) {
  const rows = await ex
    .selectFrom('incidents as i')
    .select(['i.id', 'i.title', 'i.detected_at', 'i.created', 'i.resolved_at'])
    .select((eb) => [
      eb
        .selectFrom('incident_events as ie')
        .select(eb.fn.countAll().as('n'))
        .whereRef('ie.incident_id', '=', 'i.id')
        .as('event_count'),
      eb
        .selectFrom('incident_services as s')
        .select(eb.fn.countAll().as('n'))
        .whereRef('s.incident_id', '=', 'i.id')
        .as('service_count'),
    ])
    .where('i.created', '>=', since)
    .execute();
  return rows.map((i): CorrelationPattern => {
    const start = Date.parse(String(i.detected_at ?? i.created));
    const end = i.resolved_at === null ? now.getTime() : Date.parse(String(i.resolved_at));
    return {
      incident_id: Number(i.id),
      title: String(i.title),
      event_count: Number(i.event_count),
      service_count: Number(i.service_count),
      duration_minutes: Math.round(((end - start) / 60_000) * 100) / 100,
    };
  });
}

/** The services listed failing by the most incidents opened in the window. */
async function topServices(ex: Db, since: string) {
  const rows = await ex
    .selectFrom('incident_services as s')
    .innerJoin('incidents as i', 'i.id', 's.incident_id')
    .innerJoin('technical_services as t', 't.id', 's.technical_service_id')
    .select(['t.id', 't.name'])
    .select((eb) => eb.fn.countAll().as('incident_count'))
    .where('i.created', '>=', since)
    .groupBy(['t.id', 't.name'])
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('t.id')
    .limit(TOP_SERVICES)
    .execute();
  return rows.map((t) => ({
    id: Number(t.id),
    name: String(t.name),
    incident_count: Number(t.incident_count),
  }));
}

/**
 * How well the automation grouped the events created in the last `hours`: how many incidents
 * they became, how big the groups are, how sure the decisions were, and why the rest stayed out.
 */
export async function correlationAnalysis(
  ex: Db,
  settings: AutomationSettings,
  hours: number,
  now: Date,
): Promise<CorrelationAnalysis> {
  const since = iso(now.getTime() - hours * HOUR_MS);
  const events = await eventOutcomes(ex, since);
  const incidents = await incidentShapes(ex, since, now);
  const patterns = incidents
    .filter((i) => i.event_count > 1)
    .sort((a, b) => b.event_count - a.event_count || a.incident_id - b.incident_id);
  const { correlated, holdingIncidents } = events;
  return {
    time_window_hours: hours,
    total_events: events.total,
    total_incidents: incidents.length,
    correlated_events: correlated,
    noise_reduction:
      correlated === 0 ? 0 : Math.round((1 - holdingIncidents / correlated) * 10_000) / 10_000,
    events_per_incident: histogram(incidents.map((i) => i.event_count)),
    incidents_by_service_count: histogram(incidents.map((i) => i.service_count)),
    correlation_patterns: patterns.slice(0, MAX_PATTERNS),
    correlation_patterns_total: patterns.length,
    score_distribution: scoreBuckets(events.scores),
    correlation_threshold: settings.correlationThreshold,
    uncorrelated_events: { total: events.total - correlated, ...events.uncorrelated },
    top_services: await topServices(ex, since),
    unprocessed_events: await countUnprocessed(ex, {
      since,
      minimumSeverity: settings.requireMinimumSeverity,
    }),
  };
}

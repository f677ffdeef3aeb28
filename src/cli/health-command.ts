import { existsSync } from 'node:fs';

import type { Command } from 'commander';
import { sql } from 'kysely';

import { configurationIssues } from '../config/configuration-issues.js';
import { inspectSettings, type SettingProblem } from '../config/load-settings.js';
import type { Settings } from '../config/settings.js';
import { countUnprocessed } from '../events/unprocessed-events.js';
import { openDatabase } from '../store/database.js';
import { LATEST_SCHEMA_VERSION, schemaVersion } from '../store/migrate.js';
import { ExitStatus, type Output } from './output.js';

/** How long the database may take to answer before it counts as unreachable. */
const DATABASE_TIMEOUT_MS = 5000;

/** The window the backlog is counted over, as in the status endpoint. */
const BACKLOG_HOURS = 24;

/** The plugin's own wording for its three checks, so that old runbooks still match. */
const PLUGIN_WORDING: Readonly<Record<string, string>> = {
  BUSINESS_APP_CORRELATION_THRESHOLD: 'CORRELATION_THRESHOLD must be between 0 and 1',
  BUSINESS_APP_CORRELATION_WINDOW_MINUTES: 'CORRELATION_WINDOW_MINUTES must be at least 1',
  BUSINESS_APP_MAX_DEPENDENCY_DEPTH: 'MAX_DEPENDENCY_DEPTH must be at least 1',
};

function describe(problem: SettingProblem): string {
  const given = `${problem.key}=${problem.shown}`;
  const plugin = PLUGIN_WORDING[problem.key];
  return plugin === undefined
    ? `invalid setting ${given}: ${problem.allowed}`
    : `${plugin} (${given}: ${problem.allowed})`;
}

export interface DatabaseHealth {
  readonly engine: string;
  readonly reachable: boolean;
  readonly schema_version: string | null;
  readonly latest_schema_version: string;
  readonly error?: string;
}

export interface HealthReport {
  readonly healthy: boolean;
  readonly enabled: boolean;
  readonly auto_resolve_enabled: boolean;
  readonly notifications_enabled: boolean;
  readonly webhook_count: number;
  readonly correlation_window_minutes: number | string;
  readonly correlation_threshold: number | string;
  readonly max_dependency_depth: number | string;
  readonly configuration_valid: boolean;
  readonly issues: string[];
  readonly database: DatabaseHealth;
  readonly backlog: { readonly unprocessed_events: number | null; readonly window_hours: number };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function checkDatabase(
  settings: Settings,
  usable: boolean,
): Promise<{ health: DatabaseHealth; backlog: number | null }> {
  const config = settings.database;
  const base = { engine: config.kind, latest_schema_version: LATEST_SCHEMA_VERSION };
  const down = (error: string) => ({
    health: { ...base, reachable: false, schema_version: null, error },
    backlog: null,
  });
  if (!usable) return down('DATABASE_URL is not usable');
  // Opening a missing SQLite file would create it: a health check changes nothing.
  if (config.kind === 'sqlite' && config.path !== ':memory:' && !existsSync(config.path)) {
    return down(`${config.path} does not exist (faultline migrate creates it)`);
  }
  const database = openDatabase(config, { poolSize: 1 });
  try {
    return await withTimeout(
      (async () => {
        await sql`select 1`.execute(database.db);
        const version = await schemaVersion(database);
        const current = version === LATEST_SCHEMA_VERSION;
        const backlog = current
          ? await countUnprocessed(database.db, {
              since: new Date(Date.now() - BACKLOG_HOURS * 3_600_000).toISOString(),
              minimumSeverity: settings.automation.requireMinimumSeverity,
            })
          : null;
        return { health: { ...base, reachable: true, schema_version: version }, backlog };
      })(),
      DATABASE_TIMEOUT_MS,
    );
  } catch (error) {
    return down(error instanceof Error ? error.message : String(error));
  } finally {
    await database.close().catch(() => undefined);
  }
}

/** The guide's check_incident_automation_health(), with the database and backlog added. */
export async function checkHealth(
  env: NodeJS.ProcessEnv,
  configFile: string | undefined,
): Promise<HealthReport> {
  const inspection = inspectSettings(env, configFile);
  const { settings, problems } = inspection;
  const invalid = new Map(problems.map((p) => [p.key, p.shown]));
  const shown = (key: string, value: number): number | string => {
    const given = invalid.get(key);
    if (given === undefined) return value;
    return Number.isFinite(Number(given)) && given.trim() !== '' ? Number(given) : given;
  };
  const issues = [
    ...(inspection.fileProblem === null ? [] : [inspection.fileProblem]),
    ...problems.map(describe),
    ...configurationIssues(settings.automation),
  ];
  const { health, backlog } = await checkDatabase(settings, !invalid.has('DATABASE_URL'));
  if (!health.reachable) issues.push(`database unreachable: ${health.error}`);
  else if (health.schema_version !== LATEST_SCHEMA_VERSION) {
    issues.push(
      `database schema is at ${health.schema_version ?? 'nothing'}, ` +
        `${LATEST_SCHEMA_VERSION} is needed: run faultline migrate`,
    );
  }
  const a = settings.automation;
  const configurationValid = problems.length === 0 && inspection.fileProblem === null;
  return {
    healthy: issues.length === 0,
    enabled: a.enabled,
    auto_resolve_enabled: a.autoResolve,
    notifications_enabled: a.notificationsEnabled,
    webhook_count: a.notificationWebhooks.length,
    correlation_window_minutes: shown(
      'BUSINESS_APP_CORRELATION_WINDOW_MINUTES',
      a.correlationWindowMinutes,
    ),
    correlation_threshold: shown('BUSINESS_APP_CORRELATION_THRESHOLD', a.correlationThreshold),
    max_dependency_depth: shown('BUSINESS_APP_MAX_DEPENDENCY_DEPTH', a.maxDependencyDepth),
    configuration_valid: configurationValid && configurationIssues(a).length === 0,
    issues,
    database: health,
    backlog: { unprocessed_events: backlog, window_hours: BACKLOG_HOURS },
  };
}

export function registerHealthCommand(
  program: Command,
  env: NodeJS.ProcessEnv,
  configFile: () => string | undefined,
  out: Output,
): void {
  program
    .command('health')
    .description('Check the settings and the database; exit status 0 when healthy, 1 otherwise')
    .action(async () => {
      const report = await checkHealth(env, configFile());
      out.line(JSON.stringify(report, null, 2));
      if (!report.healthy) throw new ExitStatus(1);
    });
}

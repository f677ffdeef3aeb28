/**
 * `npm run bench:quality`: labelled alert storms replayed through the HTTP API of a real
 * `faultline serve`, scored for grouping and root cause; Faultline's rule beside the plugin's.
 *
 * Options: --seeds 1,2,3,4,5  --services 3000  --modes faultline,plugin  --in-process (no HTTP)
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { TokenStore } from '../../src/api/token-store.js';
import { systemClock } from '../../src/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { indexOf } from '../generated-index.js';
import { loadGeneratedTopology } from '../load-topology.js';
import { generateTopology, type GeneratedTopology } from '../topology-generator.js';
import type { Scenario } from './failure-model.js';
import { scoreScenario, type QualityMetrics } from './metrics.js';
import { replayOverHttp, startServer } from './replay-http.js';
import { replayInProcess, type ReplayResult } from './replay-in-process.js';
import { FAMILIES, generateScenario } from './scenarios.js';
import { checkTargets, printTables, summarise, type Row } from './report.js';

const START = Date.parse('2026-05-01T00:00:00Z');
const SETTINGS = { BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: 'true' };

interface Options {
  readonly seeds: number[];
  readonly services: number;
  readonly modes: string[];
  readonly inProcess: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '1,2,3,4,5' },
      services: { type: 'string', default: '3000' },
      modes: { type: 'string', default: 'faultline,plugin' },
      'in-process': { type: 'boolean', default: false },
    },
  });
  return {
    seeds: values.seeds.split(',').map(Number),
    services: Number(values.services),
    modes: values.modes.split(','),
    inProcess: values['in-process'],
  };
}

/** A database file holding the topology and the scenario's maintenance, plus a token. */
async function prepareDatabase(template: string, scenario: Scenario, dir: string) {
  const path = join(dir, `${scenario.family}-${scenario.seed}.db`);
  copyFileSync(template, path);
  const database = openDatabase({ kind: 'sqlite', path });
  try {
    const tokens = new TokenStore(database.db, systemClock);
    const { key } = await tokens.create({ name: 'bench', writeEnabled: true });
    const now = new Date().toISOString();
    for (const m of scenario.maintenance) {
      await database.db
        .insertInto('maintenance')
        .values({
          status: 'started',
          description: 'bench maintenance',
          contact: 'bench',
          planned_start: new Date(m.start).toISOString(),
          planned_end: new Date(m.end).toISOString(),
          object_type: m.targetType,
          object_id: m.targetId,
          created: now,
          last_updated: now,
          tags: '[]',
          custom_fields: '{}',
        })
        .execute();
    }
    await database.db
      .updateTable('automation_state')
      .set((eb) => ({ topology_version: eb('topology_version', '+', 1) }))
      .execute();
    return { path, key };
  } finally {
    await database.close();
  }
}

async function templateDatabase(topology: GeneratedTopology, dir: string): Promise<string> {
  const path = join(dir, 'template.db');
  const database = openDatabase({ kind: 'sqlite', path });
  await migrateToLatest(database);
  await loadGeneratedTopology(database, topology);
  await database.close();
  return path;
}

async function replay(
  o: Options,
  topology: GeneratedTopology,
  template: string,
  dir: string,
  scenario: Scenario,
  mode: string,
): Promise<ReplayResult> {
  const env = { ...SETTINGS, BUSINESS_APP_CORRELATION_MODE: mode };
  if (o.inProcess) return replayInProcess(topology, scenario, env);
  const { path, key } = await prepareDatabase(template, scenario, dir);
  const server = await startServer(path, key, env);
  try {
    return await replayOverHttp(server, scenario);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const o = options();
  const started = Date.now();
  const topology = generateTopology({ services: o.services, seed: 7 });
  const index = indexOf(topology, 5);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-quality-'));
  const template = await templateDatabase(topology, dir);
  const rows: Row[] = [];
  try {
    for (const mode of o.modes) {
      for (const plan of FAMILIES) {
        for (const seed of o.seeds) {
          const scenario = generateScenario(topology, index, plan, seed, START);
          const result = await replay(o, topology, template, dir, scenario, mode);
          const metrics: QualityMetrics = scoreScenario(
            scenario,
            result.observed,
            result.rootCauses,
          );
          rows.push({ mode, family: plan.name, seed, metrics });
          process.stderr.write(`${mode} ${plan.name} seed ${seed}: F1 ${metrics.f1.toFixed(3)}\n`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const summary = summarise(rows);
  printTables(summary, o);
  const targets = checkTargets(summary);
  process.stdout.write('\nTargets (Faultline rule, worst over every seed)\n');
  for (const [name, met, value] of targets) {
    process.stdout.write(`  ${met ? 'met    ' : 'MISSED '} ${name}: ${value}\n`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const report = {
    generated: new Date().toISOString(),
    seconds,
    options: o,
    targets,
    summary,
    rows,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/quality-latest.json', `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nWrote bench/results/quality-latest.json (${seconds} s)\n`);
}

await main();

import { ManualClock } from '../../src/clock.js';
import { loadSettings } from '../../src/config/load-settings.js';
import { createFaultline } from '../../src/faultline.js';
import { createLogger } from '../../src/log/logger.js';
import { loadGeneratedTopology } from '../load-topology.js';
import type { GeneratedTopology } from '../topology-generator.js';
import type { LabelledAlert, Scenario } from './failure-model.js';
import type { Observation } from './metrics.js';

const TYPES = {
  device: 'device',
  vm: 'virtual_machine',
  cluster: 'cluster',
  service: 'technical_service',
} as const;

export interface ReplayResult {
  readonly observed: Map<string, Observation>;
  readonly rootCauses: Map<number, number[]>;
}

function inputOf(alert: LabelledAlert) {
  return {
    source: { name: 'bench' },
    dedupId: alert.dedupId,
    message: alert.message,
    status: alert.status,
    criticality: alert.severity,
    target: { type: TYPES[alert.target.type], identifier: alert.target.name },
    time: new Date(alert.at).toISOString(),
  };
}

/** Replays a scenario straight into the event pipeline of an in-memory Faultline. */
export async function replayInProcess(
  topology: GeneratedTopology,
  scenario: Scenario,
  env: Record<string, string>,
): Promise<ReplayResult> {
  const clock = new ManualClock(new Date(scenario.alerts[0]?.at ?? 0));
  const settings = loadSettings({
    DATABASE_URL: 'sqlite::memory:',
    BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: 'true',
    ...env,
  });
  const logger = createLogger({ level: 'silent', file: null, stdout: false });
  const faultline = await createFaultline({ settings, clock, logger });
  try {
    await loadGeneratedTopology(faultline.database, topology);
    const maintenance = faultline.registry.spec('maintenance');
    for (const m of scenario.maintenance) {
      await faultline.writer.create(maintenance, [
        {
          status: 'started',
          description: 'bench',
          contact: 'bench',
          planned_start: new Date(m.start).toISOString(),
          planned_end: new Date(m.end).toISOString(),
          object_type: m.targetType,
          object_id: m.targetId,
        },
      ]);
    }
    for (const alert of scenario.alerts) {
      clock.set(new Date(alert.at));
      await faultline.pipeline.record({ input: inputOf(alert) });
    }
    return await readResults(faultline.database.db);
  } finally {
    await faultline.close();
  }
}

async function readResults(
  db: Awaited<ReturnType<typeof createFaultline>>['database']['db'],
): Promise<ReplayResult> {
  const events = await db
    .selectFrom('events as e')
    .leftJoin('incident_events as ie', 'ie.event_id', 'e.id')
    .select(['e.dedup_id', 'e.status', (eb) => eb.fn.min('ie.incident_id').as('incident')])
    .groupBy(['e.id', 'e.dedup_id', 'e.status'])
    .execute();
  const observed = new Map<string, Observation>();
  for (const row of events) {
    observed.set(String(row.dedup_id), {
      incidentId: row.incident === null ? null : Number(row.incident),
      status: String(row.status),
    });
  }
  const roots = await db.selectFrom('incident_root_causes').selectAll().execute();
  const rootCauses = new Map<number, number[]>();
  for (const row of roots) {
    const id = Number(row.incident_id);
    rootCauses.set(id, [...(rootCauses.get(id) ?? []), Number(row.technical_service_id)]);
  }
  return { observed, rootCauses };
}

import { readFileSync } from 'node:fs';

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

import { buildApi } from './api/app.js';
import { NotReadyError } from './api/health-routes.js';
import { TokenStore } from './api/token-store.js';
import { systemClock, type Clock } from './clock.js';
import type { CorrelationMode, Settings } from './config/settings.js';
import { EventPipeline } from './events/event-pipeline.js';
import { EventProcessor } from './events/event-processor.js';
import { EventService } from './events/event-service.js';
import { IncidentAutomation } from './events/incident-automation.js';
import { configurationIssues } from './config/configuration-issues.js';
import { eventSourceSpec, eventSpec } from './events/event-specs.js';
import { AutomationIndexes } from './incidents/automation-indexes.js';
import { CurrentIndexes } from './incidents/current-indexes.js';
import { ServiceHealthTracker } from './incidents/incident-health.js';
import { splitIncident, type SplitRequest } from './incidents/incident-split.js';
import { IncidentStore, type RootCauseRanker } from './incidents/incident-store.js';
import { rootCauses } from './incidents/root-cause.js';
import { rankRootCauses } from './correlate/hypothesis.js';
import { failingDependents, failingShare } from './correlate/failing-dependents.js';
import { incidentSpec } from './incidents/incident-spec.js';
import type { IncidentRemovalListener } from './incidents/incident-changes.js';
import { AlertIntake } from './ingest/alert-intake.js';
import { createLogger, type Logger } from './log/logger.js';
import type { DeliveryLoop } from './notify/delivery-loop.js';
import { createNotifications, type Notifications } from './notify/notifications.js';
import type { TransactionViews } from './notify/outbox.js';
import { openDatabase, type Database } from './store/database.js';
import { migrateToLatest, schemaVersion } from './store/migrate.js';
import { ResourceRegistry } from './store/resource-registry.js';
import type { ResourceSpec } from './store/resource-spec.js';
import { ResourceWriter } from './store/resource-writer.js';
import type { DependencyView } from './topology/topology-index.js';
import { clusterSpec, deviceSpec, virtualMachineSpec } from './topology/inventory-specs.js';
import { changeSpec, changeTypeSpec, maintenanceSpec } from './topology/operation-specs.js';
import {
  businessApplicationSpec,
  serviceDependencySpec,
  technicalServiceSpec,
} from './topology/service-specs.js';

/** Every resource of the data model. */
export const RESOURCE_SPECS: readonly ResourceSpec[] = [
  deviceSpec,
  clusterSpec,
  virtualMachineSpec,
  businessApplicationSpec,
  technicalServiceSpec,
  serviceDependencySpec,
  eventSourceSpec,
  eventSpec,
  maintenanceSpec,
  changeTypeSpec,
  changeSpec,
  incidentSpec,
];

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface FaultlineOptions {
  readonly settings: Settings;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** An already open database (tests); otherwise the one DATABASE_URL names is opened. */
  readonly database?: Database;
  /** How long a notification receiver gets to answer (default 10 s; tests shorten it). */
  readonly deliveryTimeoutMs?: number;
}

/** The assembled application: every component, wired once. */
export interface Faultline {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly database: Database;
  readonly registry: ResourceRegistry;
  readonly writer: ResourceWriter;
  readonly tokens: TokenStore;
  /** The single entry point of events and incident decisions. */
  readonly pipeline: EventPipeline;
  readonly indexes: AutomationIndexes;
  /** The indexes and memoised service health, brought up to date for reads. */
  readonly views: CurrentIndexes;
  /** Manual control and reports of the incident automation. */
  readonly automation: IncidentAutomation;
  /** Sends the notification outbox; `serve` starts it, tests call `runDue()`. */
  readonly deliveries: DeliveryLoop;
  readonly api: FastifyInstance;
  /**
   * Loads the topology and the open incidents into memory now, as the first decision would: a
   * server does it as it starts, so that the first alerts are decided at full speed; /readyz
   * answers 503 meanwhile, and alerts that come are decided once it is done.
   */
  loadIndexes(): Promise<void>;
  close(): Promise<void>;
}

/** The indexes and memoised service health for the API, brought up to date by the pipeline. */
function readViews(
  database: Database,
  indexes: AutomationIndexes,
  pipeline: EventPipeline,
  clock: Clock,
  incidents: IncidentStore,
): CurrentIndexes {
  const health = new ServiceHealthTracker(indexes, clock);
  return new CurrentIndexes({ db: database.db, indexes, decisions: pipeline, health, incidents });
}

/**
 * How the root causes of an incident are named: the one place the correlation modes differ on
 * it. The plugin's rule takes every affected service, context ones included; Faultline's leaves
 * out a service listed only through a VM's cluster, which the event does not show failing.
 */
function rootCauseRanker(
  mode: CorrelationMode,
  graph: () => DependencyView,
  globalShare: (service: number) => number,
): RootCauseRanker {
  if (mode === 'plugin') {
    return ({ services }) => {
      const roots = rootCauses(services, graph());
      return { roots, titled: roots.length };
    };
  }
  return ({ services, context, groups }) => {
    const alerting = new Set([...services].filter((s) => !context.has(s)));
    return rankRootCauses(alerting, graph(), groups, globalShare);
  };
}

/** The event pipeline over the automation's indexes and incident store. */
function assembleAutomation(
  database: Database,
  settings: Settings,
  clock: Clock,
  logger: Logger,
  removals: IncidentRemovalListener,
) {
  const automation = settings.automation;
  const graph = (): DependencyView => indexes.topology;
  const globalShare = (service: number) =>
    failingShare(failingDependents(service, indexes.incidents.alerting, graph()));
  const ranker = rootCauseRanker(automation.correlationMode, graph, globalShare);
  const incidentStore: IncidentStore = new IncidentStore(clock, graph, ranker);
  const indexes: AutomationIndexes = new AutomationIndexes(
    automation.maxDependencyDepth,
    incidentStore,
    logger,
  );
  const processor = new EventProcessor({
    clock,
    settings: automation,
    indexes,
    incidents: incidentStore,
    logger: logger.child({ component: 'automation' }),
  });
  const pipeline = new EventPipeline(database, indexes, processor, logger);
  const automationControl = new IncidentAutomation({
    database,
    pipeline,
    processor,
    indexes,
    incidents: incidentStore,
    settings: automation,
    issues: configurationIssues(automation),
    removals,
    clock,
    logger: logger.child({ component: 'automation' }),
  });
  const incidentOperations = {
    split: (request: SplitRequest) =>
      pipeline.run(async (tx) => {
        const id = await splitIncident(tx, incidentStore, indexes.topology, request);
        indexes.requestIncidentReload();
        return id;
      }),
  };
  const views = readViews(database, indexes, pipeline, clock, incidentStore);
  return { pipeline, indexes, views, incidentStore, incidentOperations, automationControl };
}

/** Opens and migrates the database; its incident changes then also write the outbox. */
async function openWithOutbox(
  options: FaultlineOptions,
  clock: Clock,
  logger: Logger,
  views: () => TransactionViews,
): Promise<Notifications> {
  const opened = options.database ?? openDatabase(options.settings.database);
  await migrateToLatest(opened);
  return createNotifications({
    settings: options.settings,
    clock,
    logger: logger.child({ component: 'notify' }),
    database: opened,
    views,
    ...(options.deliveryTimeoutMs === undefined ? {} : { timeoutMs: options.deliveryTimeoutMs }),
  });
}

/** The readiness check, and the loading of the indexes it waits for (see loadIndexes). */
function readiness(database: Database, pipeline: EventPipeline) {
  // Set while the indexes load: the server answers, but is not ready.
  let loading = false;
  return {
    ready: async () => {
      if (loading) throw new NotReadyError('Loading the topology and open incidents.');
      await sql`select 1`.execute(database.db);
      return { database: database.dialect.name, schema_version: await schemaVersion(database) };
    },
    loadIndexes: async () => {
      loading = true;
      try {
        await pipeline.run(async () => undefined);
      } finally {
        loading = false;
      }
    },
  };
}

/** The composition root: opens and migrates the database, then builds the API over it. */
export async function createFaultline(options: FaultlineOptions): Promise<Faultline> {
  const { settings } = options;
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ?? createLogger({ level: settings.logLevel, file: settings.logFile });
  const { database, outbox, deliveries } = await openWithOutbox(
    options,
    clock,
    logger,
    () => automationParts.views,
  );

  const registry = new ResourceRegistry(database, RESOURCE_SPECS);
  const writer = new ResourceWriter(registry, clock);
  const automationParts = assembleAutomation(database, settings, clock, logger, outbox);
  const { pipeline, indexes, views, incidentOperations, automationControl } = automationParts;
  const events = new EventService(pipeline, registry, writer);
  const tokens = new TokenStore(database.db, clock);
  const { ready, loadIndexes } = readiness(database, pipeline);
  const api = await buildApi({
    logger,
    registry,
    writer,
    writers: new Map([['events', events]]),
    tokens,
    pipeline,
    intake: new AlertIntake({ pipeline, indexes, clock, settings: settings.ingest }),
    incidentOperations,
    automation: automationControl,
    views,
    clock,
    baseUrl: settings.baseUrl,
    ready,
    version: VERSION,
  });

  return {
    settings,
    clock,
    logger,
    database,
    registry,
    writer,
    tokens,
    pipeline,
    indexes,
    views,
    automation: automationControl,
    deliveries,
    api,
    loadIndexes,
    close: async () => {
      await api.close();
      await deliveries.stop();
      await pipeline.settled();
      await database.close();
    },
  };
}

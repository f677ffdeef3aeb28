import type { FastifyInstance, RouteShorthandOptions } from 'fastify';

import type { IncidentAutomation } from '../events/incident-automation.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { idSchema } from './resource-schemas.js';

const BASE = `${PLUGIN_PREFIX}incident-automation/`;

/** The window manual processing looks back over: an hour to a week (the plugin's range). */
const PROCESS_HOURS = { type: 'integer', minimum: 1, maximum: 168 } as const;
/** Reports and clean-up may look further back: up to a year. */
const REPORT_HOURS = { type: 'integer', minimum: 1, maximum: 8760 } as const;
const DRY_RUN = { type: 'boolean' } as const;

const tags = ['incident-automation'];

type Input = Record<string, unknown>;
const hoursOf = (input: Input) => (input.hours as number | undefined) ?? 24;
const dryRunOf = (input: Input) => input.dry_run === true;

/** A JSON object body; a POST without any body, or with an empty one, counts as `{}`. */
function body(properties: Record<string, unknown>, required: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    required,
    properties,
  };
}

interface Route {
  readonly method: 'GET' | 'POST';
  /** The guide's hyphenated name; the plugin's underscore spelling is served too. */
  readonly name: string;
  readonly summary: string;
  readonly schema: Record<string, unknown>;
  readonly handle: (input: Input) => Promise<unknown>;
}

/** The reports: status and correlation analysis. */
function reportRoutes(automation: IncidentAutomation): Route[] {
  return [
    {
      method: 'GET',
      name: 'status',
      summary: 'Settings of the automation and the last 24 hours of its activity',
      schema: {},
      handle: () => automation.status(),
    },
    {
      method: 'GET',
      name: 'correlation-analysis',
      summary: 'How the events of the last `hours` were grouped, and why some were not',
      schema: {
        querystring: { type: 'object', properties: { hours: REPORT_HOURS } },
      },
      handle: (input) => automation.analysis(hoursOf(input)),
    },
  ];
}

/** Manual processing of events. */
function operationRoutes(automation: IncidentAutomation): Route[] {
  return [
    {
      method: 'POST',
      name: 'process-event',
      summary: 'Correlate one stored event now (dry_run: say what would happen)',
      schema: {
        body: body({ event_id: idSchema, dry_run: DRY_RUN }, ['event_id']),
      },
      handle: (input) => automation.processEvent(input.event_id as number, dryRunOf(input)),
    },
    {
      method: 'POST',
      name: 'process-unprocessed',
      summary: 'Correlate the firing events in no incident created in the last `hours`',
      schema: {
        body: body({
          hours: PROCESS_HOURS,
          // A count, bounded like an id: what a PostgreSQL integer holds.
          limit: idSchema,
          dry_run: DRY_RUN,
        }),
      },
      handle: (input) =>
        automation.processUnprocessed({
          hours: hoursOf(input),
          ...(input.limit === undefined ? {} : { limit: input.limit as number }),
          dryRun: dryRunOf(input),
        }),
    },
  ];
}

/** Regrouping and clean-up. */
function maintenanceRoutes(automation: IncidentAutomation): Route[] {
  return [
    {
      method: 'POST',
      name: 'force-correlate',
      summary: 'Regroup the events of automatically created incidents with the current settings',
      schema: {
        body: body({
          hours: PROCESS_HOURS,
          incident_ids: { type: 'array', items: idSchema, minItems: 1 },
          dry_run: DRY_RUN,
        }),
      },
      handle: (input) =>
        automation.forceCorrelate({
          hours: hoursOf(input),
          ...(input.incident_ids === undefined
            ? {}
            : { incidentIds: input.incident_ids as number[] }),
          dryRun: dryRunOf(input),
        }),
    },
    {
      method: 'POST',
      name: 'cleanup',
      summary: 'Resolve, close (and with purge delete) incidents that ended over `hours` ago',
      schema: {
        body: body({ hours: REPORT_HOURS, purge: { type: 'boolean' }, dry_run: DRY_RUN }),
      },
      handle: (input) =>
        automation.cleanup({
          hours: hoursOf(input),
          purge: input.purge === true,
          dryRun: dryRunOf(input),
        }),
    },
  ];
}

/**
 * The deployment guide's incident-automation endpoints, at its hyphenated paths and at the
 * plugin's underscore spellings (hidden from the API document). Reads need a token, the
 * POSTs a write token, as everywhere.
 */
export function registerAutomationRoutes(app: FastifyInstance, automation: IncidentAutomation) {
  for (const route of [
    ...reportRoutes(automation),
    ...operationRoutes(automation),
    ...maintenanceRoutes(automation),
  ]) {
    const alias = route.name.replace(/-/g, '_');
    for (const name of alias === route.name ? [route.name] : [route.name, alias]) {
      const options: RouteShorthandOptions = {
        schema: { tags, summary: route.summary, ...route.schema, hide: name !== route.name },
      };
      const url = `${BASE}${name}/`;
      if (route.method === 'GET') {
        app.get(url, options, (request) =>
          route.handle((request.query ?? {}) as Record<string, unknown>),
        );
      } else {
        app.post(
          url,
          {
            ...options,
            // A POST without a body asks for the defaults.
            preValidation: async (request) => {
              request.body ??= {};
            },
          },
          (request) => route.handle(request.body as Record<string, unknown>),
        );
      }
    }
  }
}

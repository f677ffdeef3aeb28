import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { LogController, fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';

import type { Clock } from '../clock.js';
import type { EventPipeline } from '../events/event-pipeline.js';
import type { IncidentAutomation } from '../events/incident-automation.js';
import type { CurrentIndexes } from '../incidents/current-indexes.js';
import type { AlertIntake } from '../ingest/alert-intake.js';
import type { Logger } from '../log/logger.js';
import type { ResourceRegistry } from '../store/resource-registry.js';
import type { ResourceWriter } from '../store/resource-writer.js';
import { registerAlertRoutes } from './alert-routes.js';
import { registerAuth } from './auth.js';
import { registerAutomationRoutes } from './automation-routes.js';
import { registerBlastRadiusRoutes } from './blast-radius-routes.js';
import { registerDownstreamApplicationRoutes } from './downstream-application-routes.js';
import { registerErrorHandler } from './error-handler.js';
import { registerHealthRoutes, type ReadinessCheck } from './health-routes.js';
import { registerRootRoutes } from './root-routes.js';
import { registerIncidentRoutes, type IncidentOperations } from './incident-routes.js';
import { registerNotificationRoutes } from './notification-routes.js';
import { registerResourceRoutes, type ResourceWriterPort } from './resource-routes.js';
import { ResourceSerializer } from './resource-serializer.js';
import { createValidatorCompiler } from './schema-validation.js';
import { healthFields, registerServiceHealthRoutes } from './service-health-routes.js';
import type { TokenStore } from './token-store.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ApiDeps {
  readonly logger: Logger;
  readonly registry: ResourceRegistry;
  readonly writer: ResourceWriter;
  /** Writers for resources whose writes go through their domain. */
  readonly writers: ReadonlyMap<string, ResourceWriterPort>;
  readonly tokens: TokenStore;
  readonly pipeline: EventPipeline;
  /** Where received alerts go. */
  readonly intake: AlertIntake;
  readonly incidentOperations: IncidentOperations;
  readonly automation: IncidentAutomation;
  /** The automation's indexes and service health, current, for the read views. */
  readonly views: CurrentIndexes;
  readonly clock: Clock;
  readonly baseUrl: string | null;
  readonly ready: ReadinessCheck;
  readonly version: string;
}

/** Which OpenAPI tag (and NetBox app) each resource belongs to. */
function tagOf(resource: string): string {
  if (resource === 'devices') return 'dcim';
  if (resource === 'virtual-machines' || resource === 'clusters') return 'virtualization';
  return 'business-application';
}

async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Faultline API',
        description:
          'Incident automation over the NetBox Business Application data model. ' +
          'Authenticate with `Authorization: Token <key>`.',
        version,
      },
      components: {
        securitySchemes: {
          token: { type: 'apiKey', in: 'header', name: 'Authorization' },
        },
      },
      security: [{ token: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/schema/', { schema: { hide: true } }, async () => app.swagger());
}

/**
 * JSON bodies are parsed as Fastify does, except that an empty one counts as no body, as NetBox
 * reads it: `curl -X DELETE -H 'Content-Type: application/json' …` deletes. Routes that keep
 * their own parser (alert ingestion) are not affected.
 */
function emptyJsonAsNoBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
}

/** The HTTP application: every route, with auth, validation and NetBox-shaped errors. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Request lines would flood the log in an alert storm; responses are logged at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
  });
  // The API speaks JSON only; any other body type is answered 415.
  app.removeContentTypeParser('text/plain');
  emptyJsonAsNoBody(app);
  app.setValidatorCompiler(createValidatorCompiler());
  if (deps.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        { method: request.method, url: request.url, status: reply.statusCode },
        'request completed',
      );
    });
  }
  registerErrorHandler(app);
  registerAuth(app, deps.tokens);
  await registerOpenApi(app, deps.version);

  registerHealthRoutes(app, deps.ready);
  registerRootRoutes(app, deps.registry, deps.baseUrl, deps.version);
  const serializer = new ResourceSerializer(deps.registry, healthFields(deps.views));
  const routeDeps = { ...deps, serializer };
  for (const spec of deps.registry.specs()) {
    registerResourceRoutes(app, routeDeps, spec, tagOf(spec.name));
  }
  registerIncidentRoutes(app, deps.registry.database.db, deps.incidentOperations);
  registerAutomationRoutes(app, deps.automation);
  registerNotificationRoutes(app, deps.registry, deps.baseUrl);
  registerServiceHealthRoutes(app, routeDeps);
  registerBlastRadiusRoutes(app, routeDeps);
  registerDownstreamApplicationRoutes(app, routeDeps);
  await registerAlertRoutes(app, deps.intake);
  return app;
}

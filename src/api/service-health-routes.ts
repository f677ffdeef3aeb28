import type { FastifyInstance, FastifyRequest } from 'fastify';

import { NotFoundError } from '../app-error.js';
import type { CurrentIndexes, IndexView } from '../incidents/current-indexes.js';
import { dependencyGraph, type DependencyGraph } from '../topology/dependency-graph.js';
import { explainHealth, type HealthExplanation } from '../topology/health-explanation.js';
import type { MaintenanceWindow } from '../topology/topology-index.js';
import { requestBaseUrl } from './base-url.js';
import { registerReadRoute, type TopologyViewDeps } from './read-only-routes.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { idParamsSchema } from './resource-schemas.js';
import type { ApiObject, ComputedFields } from './resource-serializer.js';
import { TopologyBriefs } from './topology-briefs.js';

const SERVICES = `${PLUGIN_PREFIX}technical-services/`;
const tags = ['business-application'];

/** The deepest dependency graph the API draws around one service. */
export const MAX_GRAPH_DEPTH = 10;

/**
 * `health_status` on technical services, business applications and the affected services of
 * incidents, from the memoised health.
 */
export function healthFields(views: CurrentIndexes): ReadonlyMap<string, ComputedFields> {
  const health = () => views.read(({ health }) => health);
  return new Map<string, ComputedFields>([
    [
      'incidents',
      async () => {
        const current = await health();
        return (_row, object) => {
          const briefs = object.affected_services;
          if (!Array.isArray(briefs)) return {};
          const withHealth = (brief: ApiObject) => ({
            ...brief,
            health_status: current.status(brief.id as number),
          });
          return { affected_services: (briefs as ApiObject[]).map(withHealth) };
        };
      },
    ],
    [
      'technical-services',
      async () => {
        const current = await health();
        return (row) => ({ health_status: current.status(row.id) });
      },
    ],
    [
      'business-applications',
      async () => {
        const current = await health();
        return (row) => ({ health_status: current.appStatus(row.id) });
      },
    ],
  ]);
}

/** A one-sentence reason, for people; the structured fields say the same for programs. */
function sentence(view: IndexView, explanation: HealthExplanation): string {
  const name = (id: number) => view.topology.services.get(id)?.name ?? `#${id}`;
  const { service, status, origin, cause, path } = explanation;
  const subject = `${name(service)} is ${status.replace('_', ' ')}`;
  if (origin === null || cause === null) {
    return status === 'healthy' ? `${subject}.` : `${subject}; no cause was found.`;
  }
  const own =
    cause.kind === 'incident'
      ? `open incident ${cause.incidents.map((i) => `#${i}`).join(', ')} names ${name(origin)}`
      : `${name(origin)} is inside maintenance window #${cause.window.id}`;
  if (origin === service) return `${subject}: ${own}.`;
  return `${subject}: it depends on ${name(origin)} (${path.map(name).join(' → ')}), and ${own}.`;
}

/** `healthy`; `incident` or `maintenance` for a cause of its own; `upstream` otherwise. */
function reasonOf({ status, service, origin, cause }: HealthExplanation): string {
  if (status === 'healthy') return 'healthy';
  if (origin === null || cause === null) return 'unknown';
  return origin === service ? cause.kind : 'upstream';
}

/** The body of `technical-services/{id}/health/`. */
function healthBody(view: IndexView, briefs: TopologyBriefs, service: number): ApiObject {
  const explanation = explainHealth(view.health, service);
  const { cause, origin, path, hops } = explanation;
  const withHealth = (id: number) => ({
    ...briefs.service(id),
    health_status: view.health.status(id),
  });
  const incidents = (cause?.kind === 'incident' ? cause.incidents : []).flatMap((id) => {
    const state = view.incidents.incidents.get(id);
    return state === undefined ? [] : [briefs.incident(state)];
  });
  return {
    service: briefs.service(service),
    health_status: explanation.status,
    reason: reasonOf(explanation),
    detail: sentence(view, explanation),
    origin: origin === null ? null : withHealth(origin),
    incidents,
    maintenance: cause?.kind === 'maintenance' ? maintenanceOf(briefs, cause.window) : null,
    path: path.map((id, i) => {
      const hop = i === 0 ? undefined : hops[i - 1]!;
      const dependency =
        hop === undefined
          ? null
          : { ...briefs.dependency({ ...hop, service: id }), group: hop.group };
      return { ...withHealth(id), dependency };
    }),
  };
}

/** The maintenance window that put the origin under maintenance. */
function maintenanceOf(briefs: TopologyBriefs, window: MaintenanceWindow): ApiObject {
  return {
    id: window.id,
    url: `${briefs.base}${PLUGIN_PREFIX}maintenance/${window.id}/`,
    status: window.status,
    planned_start: new Date(window.start).toISOString(),
    planned_end: new Date(window.end).toISOString(),
    object_type: window.targetType,
    object_id: window.targetId,
    object: briefs.target(window.targetType, window.targetId),
  };
}

const graphQuery = {
  type: 'object',
  properties: {
    depth: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_GRAPH_DEPTH,
      description:
        `Hops each way, 1 to ${MAX_GRAPH_DEPTH} ` + '(default BUSINESS_APP_MAX_DEPENDENCY_DEPTH).',
    },
  },
};

/** The body of `technical-services/{id}/dependencies/graph/`; nodes carry their service_type. */
function graphBody(
  briefs: TopologyBriefs,
  graph: DependencyGraph,
  depth: number,
  types: ReadonlyMap<number, unknown>,
): ApiObject {
  const centre = graph.nodes[0]!.service;
  return {
    service: briefs.service(centre),
    depth,
    nodes: graph.nodes.map((node) => ({
      ...briefs.service(node.service),
      service_type: types.get(node.service) ?? null,
      health_status: node.status,
      role: node.role,
      depth: node.depth,
    })),
    links: graph.links.map((link) => ({
      ...briefs.dependency({ ...link, service: link.upstream }),
      source: link.upstream,
      target: link.downstream,
      health_status: link.status,
    })),
  };
}

const notFound = (id: number) => new NotFoundError(`Technical service ${id} not found.`);

/**
 * `technical-services/{id}/health/` (status, and why) and
 * `technical-services/{id}/dependencies/graph/` (the services around one, for the UI).
 */
export function registerServiceHealthRoutes(app: FastifyInstance, deps: TopologyViewDeps): void {
  const briefsFor = (request: FastifyRequest, view: IndexView) =>
    new TopologyBriefs(deps.registry, view.topology, requestBaseUrl(request, deps.baseUrl));
  const services = deps.registry.store('technical-services');

  registerReadRoute(app, {
    url: `${SERVICES}:id/health/`,
    tags,
    summary: 'Health of a technical service, and why: the upstream path or own cause',
    params: idParamsSchema,
    handle: async (request) => {
      const { id } = request.params as { id: number };
      const body = await deps.views.read((view) =>
        view.topology.services.has(id) ? healthBody(view, briefsFor(request, view), id) : null,
      );
      if (body === null) throw notFound(id);
      return body;
    },
  });

  registerReadRoute(app, {
    url: `${SERVICES}:id/dependencies/graph/`,
    tags,
    summary: 'The services up to `depth` hops up and down from one, with health: nodes and links',
    params: idParamsSchema,
    querystring: graphQuery,
    handle: async (request) => {
      const { id } = request.params as { id: number };
      const asked = (request.query as { depth?: number }).depth;
      const drawn = await deps.views.read((view) => {
        const depth = asked ?? Math.min(view.topology.maxDepth, MAX_GRAPH_DEPTH);
        const graph = dependencyGraph(view.health, id, depth);
        return graph === null ? null : { graph, depth, briefs: briefsFor(request, view) };
      });
      if (drawn === null) throw notFound(id);

      const rows = await services.getMany(drawn.graph.nodes.map((node) => node.service));
      const types = new Map(rows.map((row) => [row.id, row.service_type]));
      return graphBody(drawn.briefs, drawn.graph, drawn.depth, types);
    },
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { NotFoundError } from '../app-error.js';
import type { IndexView } from '../incidents/current-indexes.js';
import { buildConditions, buildOrdering, type ListParams } from '../store/list-filters.js';
import type { Row } from '../store/resource-spec.js';
import { downstreamApplications } from '../topology/blast-radius.js';
import { servicesHostedBy } from '../topology/hosted-services.js';
import { requestBaseUrl } from './base-url.js';
import { registerReadRoute, type TopologyViewDeps } from './read-only-routes.js';
import { pageUrl, pageWindow } from './resource-routes.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { idParamsSchema, listQuerySchema } from './resource-schemas.js';
import { briefOf, type ApiObject } from './resource-serializer.js';
import { TopologyBriefs } from './topology-briefs.js';

/** The two kinds of infrastructure whose downstream applications are asked for. */
const HOSTS = [
  { kind: 'device', resource: 'devices', path: 'devices', label: 'Device' },
  { kind: 'cluster', resource: 'clusters', path: 'clusters', label: 'Cluster' },
] as const;
type Host = (typeof HOSTS)[number];

/**
 * What one device or cluster reaches: the services it hosts (see servicesHostedBy) and the
 * business applications of those and of the services within the dependency depth downstream
 * of them, each with its health and the nearest service it is reached through.
 */
function reachedFrom(view: IndexView, briefs: TopologyBriefs, host: Host, id: number) {
  const hosted = [...new Set(servicesHostedBy(view.topology, { type: host.kind, id }))].sort(
    (a, b) => a - b,
  );
  const apps = downstreamApplications(view.topology, hosted, view.health);
  return {
    technical_services: hosted.map((s) => ({
      ...briefs.service(s),
      health_status: view.health.status(s),
    })),
    business_applications: apps.map((app) => ({
      ...briefs.app(app.app),
      health_status: app.status,
      via: briefs.service(app.via),
      depth: app.depth,
    })),
    count: apps.length,
  };
}

function registerHost(app: FastifyInstance, deps: TopologyViewDeps, host: Host): void {
  const spec = deps.registry.spec(host.resource);
  const store = deps.registry.store(host.resource);
  const url = `${PLUGIN_PREFIX}${host.path}/downstream-applications/`;
  const tags = ['business-application'];
  const briefsFor = (request: FastifyRequest, view: IndexView) =>
    new TopologyBriefs(deps.registry, view.topology, requestBaseUrl(request, deps.baseUrl));

  registerReadRoute(app, {
    url,
    tags,
    summary: `Every ${host.kind} (filters and paging as on its list), with the business applications it reaches`,
    querystring: listQuerySchema(spec),
    handle: async (request) => {
      const params = request.query as ListParams;
      const { limit, offset } = pageWindow(params);
      const page = await store.list({
        where: buildConditions(spec, params, deps.registry),
        ordering: buildOrdering(spec, params.ordering),
        limit,
        offset,
      });
      const base = requestBaseUrl(request, deps.baseUrl);
      const results = await deps.views.read((view) =>
        page.rows.map((row: Row) => ({
          [host.kind]: briefOf(spec, row, base),
          ...reachedFrom(view, briefsFor(request, view), host, row.id),
        })),
      );
      return {
        count: page.count,
        next: offset + limit < page.count ? pageUrl(request, base, offset + limit, limit) : null,
        previous: offset > 0 ? pageUrl(request, base, Math.max(0, offset - limit), limit) : null,
        results,
      };
    },
  });

  registerReadRoute(app, {
    url: `${url}:id/`,
    tags,
    summary: `The business applications one ${host.kind} reaches through what it hosts`,
    params: idParamsSchema,
    handle: async (request) => {
      const { id } = request.params as { id: number };
      const body = await deps.views.read((view) => {
        const known = host.kind === 'device' ? view.topology.devices : view.topology.clusters;
        if (!known.has(id)) return null;
        const briefs = briefsFor(request, view);
        const self = host.kind === 'device' ? briefs.device(id) : briefs.cluster(id);
        return { [host.kind]: self, ...reachedFrom(view, briefs, host, id) } as ApiObject;
      });
      if (body === null) throw new NotFoundError(`${host.label} ${id} not found.`);
      return body;
    },
  });
}

/**
 * `devices/downstream-applications/` and `clusters/downstream-applications/`, each also with
 * `{id}/`: the business applications a device or cluster reaches through its VMs and its
 * services' downstream closure. Read-only (the plugin let DELETE remove clusters here).
 */
export function registerDownstreamApplicationRoutes(
  app: FastifyInstance,
  deps: TopologyViewDeps,
): void {
  for (const host of HOSTS) registerHost(app, deps, host);
}

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { NotFoundError } from '../app-error.js';
import type { IndexView } from '../incidents/current-indexes.js';
import type { ListParams } from '../store/list-filters.js';
import type { Row } from '../store/resource-spec.js';
import { hostApplications } from '../topology/host-applications.js';
import { requestBaseUrl } from './base-url.js';
import { registerReadRoute, type TopologyViewDeps } from './read-only-routes.js';
import { pageLinks, pageWindow, readListPage } from './list-page.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { idParamsSchema, listQuerySchema } from './resource-schemas.js';
import type { ApiObject } from './resource-serializer.js';
import { TopologyBriefs } from './topology-briefs.js';

/** The two kinds of infrastructure whose downstream applications are asked for. */
const HOSTS = [
  { kind: 'device', resource: 'devices', path: 'devices', label: 'Device' },
  { kind: 'cluster', resource: 'clusters', path: 'clusters', label: 'Cluster' },
] as const;
type Host = (typeof HOSTS)[number];

/** The plugin's page size on these lists. */
const PAGE_SIZE = 20;

/** One application a host reaches: which, and what Faultline adds to its object. */
interface Reached {
  readonly app: number;
  readonly extra: ApiObject;
}

/** What one device or cluster reaches (see hostApplications), with health and route. */
function reachedFrom(view: IndexView, briefs: TopologyBriefs, host: Host, id: number): Reached[] {
  return hostApplications(view.topology, { type: host.kind, id }, view.health).map((r) => ({
    app: r.app,
    extra: {
      health_status: r.status,
      via_type: r.via.type,
      via: briefs.target(r.via.type, r.via.id),
      depth: r.depth,
    },
  }));
}

/**
 * The application objects for what hosts reach: each business application as its own endpoint
 * shows it, then Faultline's fields (`health_status`, `via_type`, `via`, `depth`). One query
 * for all the applications of a page.
 */
async function applicationObjects(
  deps: TopologyViewDeps,
  reached: ReadonlyMap<number, readonly Reached[]>,
  base: string,
): Promise<Map<number, ApiObject[]>> {
  const spec = deps.registry.spec('business-applications');
  const ids = [...new Set([...reached.values()].flat().map((r) => r.app))];
  const rows = await deps.registry.store('business-applications').getMany(ids);
  const objects = new Map(
    (await deps.serializer.serialize(spec, rows, base)).map((o) => [o.id as number, o]),
  );
  const out = new Map<number, ApiObject[]>();
  for (const [host, list] of reached) {
    out.set(
      host,
      list.flatMap((r) => {
        const object = objects.get(r.app);
        return object === undefined ? [] : [{ ...object, ...r.extra }];
      }),
    );
  }
  return out;
}

const briefsFor = (deps: TopologyViewDeps, request: FastifyRequest, view: IndexView) =>
  new TopologyBriefs(deps.registry, view.topology, requestBaseUrl(request, deps.baseUrl));

/** The list: a page of hosts (the host list's filters), each with what it reaches. */
function listHandler(deps: TopologyViewDeps, host: Host) {
  const store = deps.registry.store(host.resource);
  return async (request: FastifyRequest) => {
    const params = request.query as ListParams;
    const window = pageWindow({ ...params, limit: params.limit ?? PAGE_SIZE });
    const page = await readListPage(store, deps.registry, params, window);

    const base = requestBaseUrl(request, deps.baseUrl);
    const reached = await deps.views.read((view) => {
      const briefs = briefsFor(deps, request, view);
      return new Map(
        page.rows.map((row: Row) => [row.id, reachedFrom(view, briefs, host, row.id)]),
      );
    });
    const applications = await applicationObjects(deps, reached, base);
    const results = Object.fromEntries(
      page.rows.map((row: Row) => [
        String(row.id),
        { name: row.name, applications: applications.get(row.id) ?? [] },
      ]),
    );
    return {
      count: page.count,
      limit: window.limit,
      offset: window.offset,
      ...pageLinks(request, base, window, page.count),
      results,
    };
  };
}

/** One host: the list of the applications it reaches. */
function detailHandler(deps: TopologyViewDeps, host: Host) {
  return async (request: FastifyRequest) => {
    const { id } = request.params as { id: number };
    const reached = await deps.views.read((view) => {
      const known = host.kind === 'device' ? view.topology.devices : view.topology.clusters;
      return known.has(id) ? reachedFrom(view, briefsFor(deps, request, view), host, id) : null;
    });
    if (reached === null) throw new NotFoundError(`${host.label} ${id} not found.`);

    const base = requestBaseUrl(request, deps.baseUrl);
    const objects = await applicationObjects(deps, new Map([[id, reached]]), base);
    return objects.get(id) ?? [];
  };
}

function registerHost(app: FastifyInstance, deps: TopologyViewDeps, host: Host): void {
  const url = `${PLUGIN_PREFIX}${host.path}/downstream-applications/`;
  const tags = ['business-application'];
  const query = listQuerySchema(deps.registry.spec(host.resource));
  const properties = query.properties as Record<string, Record<string, unknown>>;
  properties.limit = { ...properties.limit, description: `Page size (default ${PAGE_SIZE}).` };

  registerReadRoute(app, {
    url,
    tags,
    summary:
      `Every ${host.kind} (filters as on its list), ` + 'with the business applications it reaches',
    description:
      `The plugin's shape: \`{count, limit, offset, results: {"<${host.kind} id>": ` +
      '{name, applications}}}`, plus `next` and `previous`.',
    querystring: query,
    handle: listHandler(deps, host),
  });
  registerReadRoute(app, {
    url: `${url}:id/`,
    tags,
    summary: `The business applications one ${host.kind} reaches, as a list`,
    params: idParamsSchema,
    handle: detailHandler(deps, host),
  });
}

/**
 * `devices/downstream-applications/` and `clusters/downstream-applications/`, each also with
 * `{id}/`, in the plugin's shapes: the business applications linked to a device, to a VM on
 * it, or to a cluster's VMs, and those of the services it runs and their downstream closure.
 * Read-only (the plugin let DELETE remove clusters here).
 */
export function registerDownstreamApplicationRoutes(
  app: FastifyInstance,
  deps: TopologyViewDeps,
): void {
  for (const host of HOSTS) registerHost(app, deps, host);
}

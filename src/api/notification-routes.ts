import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { NotFoundError } from '../app-error.js';
import { notificationDeliverySpec as spec } from '../notify/delivery-spec.js';
import { maskedTarget } from '../notify/delivery-store.js';
import type { ListParams } from '../store/list-filters.js';
import type { ResourceRegistry } from '../store/resource-registry.js';
import type { ResourceSpec, Row } from '../store/resource-spec.js';
import { ResourceStore } from '../store/resource-store.js';
import { requestBaseUrl } from './base-url.js';
import { pageLinks, pageWindow, readListPage } from './list-page.js';
import { PLUGIN_PREFIX } from './resource-paths.js';
import { idParamsSchema, listQuerySchema } from './resource-schemas.js';
import { briefOf, type ApiObject } from './resource-serializer.js';

const PATH = `${PLUGIN_PREFIX}notification-deliveries/`;
const tags = ['business-application'];

/** Turns delivery rows into API objects, each with its incident when it still exists. */
class DeliveryView {
  constructor(
    private readonly incidents: ResourceStore,
    private readonly incidentSpec: ResourceSpec,
  ) {}

  async objects(rows: Row[], base: string, withPayload = false): Promise<ApiObject[]> {
    const found = await this.incidents.getMany(rows.map((r) => Number(r.incident_id)));
    const incidents = new Map(found.map((r) => [r.id, r]));
    return rows.map((row) => {
      const incident = incidents.get(Number(row.incident_id));
      return {
        ...this.object(row, base),
        incident: incident === undefined ? null : briefOf(this.incidentSpec, incident, base),
        ...(withPayload ? { payload: JSON.parse(String(row.payload)) as unknown } : {}),
      };
    });
  }

  /** The receiver is shown masked; the routing key never. */
  private object(row: Row, base: string): ApiObject {
    const target = maskedTarget({
      channel: String(row.channel),
      target: String(row.target),
      routingKey: (row.routing_key as string | null) ?? null,
    });
    return {
      id: row.id,
      url: `${base}${PATH}${row.id}/`,
      display: spec.display(row),
      delivery_id: row.delivery_id,
      channel: row.channel,
      target,
      action: row.action,
      incident_id: Number(row.incident_id),
      status: row.status,
      attempts: row.attempts,
      last_error: row.last_error ?? null,
      next_attempt_at: row.status === 'pending' ? (row.next_attempt_at ?? null) : null,
      delivered_at: row.delivered_at ?? null,
      created: row.created,
      last_updated: row.last_updated,
    };
  }
}

/** NetBox answers a write to a read-only list with 405. */
async function notAllowed(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(405)
    .header('allow', 'GET, HEAD')
    .send({ detail: `Method "${request.method}" not allowed.` });
}

/**
 * `notification-deliveries/`: the outbox, read-only, with NetBox's list conventions (paging,
 * filters, ordering); `{id}/` adds the body that is (or was) sent.
 */
export function registerNotificationRoutes(
  app: FastifyInstance,
  registry: ResourceRegistry,
  baseUrl: string | null,
): void {
  const store = new ResourceStore(spec, registry.database);
  const view = new DeliveryView(registry.store('incidents'), registry.spec('incidents'));

  app.get(PATH, { schema: { tags, querystring: listQuerySchema(spec) } }, async (request) => {
    const params = request.query as ListParams;
    const window = pageWindow(params);
    const page = await readListPage(store, registry, params, window);
    const base = requestBaseUrl(request, baseUrl);
    return {
      count: page.count,
      ...pageLinks(request, base, window, page.count),
      results: await view.objects(page.rows, base),
    };
  });

  app.get(`${PATH}:id/`, { schema: { tags, params: idParamsSchema } }, async (request) => {
    const row = await store.get((request.params as { id: number }).id);
    if (row === null) throw new NotFoundError();
    return (await view.objects([row], requestBaseUrl(request, baseUrl), true))[0];
  });

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: PATH, schema: { hide: true }, handler: notAllowed });
    app.route({ method, url: `${PATH}:id/`, schema: { hide: true }, handler: notAllowed });
  }
}

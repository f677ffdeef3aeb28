import type { FastifyInstance, FastifyRequest } from 'fastify';

import { NotFoundError, type FieldErrors } from '../app-error.js';
import type { ListParams } from '../store/list-filters.js';
import type { ResourceRegistry } from '../store/resource-registry.js';
import { allFields, type ResourceSpec } from '../store/resource-spec.js';
import type { Input } from '../store/resource-writer.js';
import { requestBaseUrl } from './base-url.js';
import { pageLinks, pageWindow, readListPage } from './list-page.js';
import { resourcePath } from './resource-paths.js';
import { bodySchema, idParamsSchema, listQuerySchema } from './resource-schemas.js';
import { briefOf, type ResourceSerializer } from './resource-serializer.js';
import { refuseInvalidBody } from './write-errors.js';

/** What writes a resource: the generic writer, or a domain service for resources with rules. */
export interface ResourceWriterPort {
  create(spec: ResourceSpec, inputs: readonly Input[]): Promise<number[]>;
  update(spec: ResourceSpec, id: number, input: Input, actor?: string): Promise<void>;
  delete(spec: ResourceSpec, id: number): Promise<void>;
  /**
   * The unknown related ids and unique clashes among the fields present in `inputs` (those of
   * a refused write that passed the schema), one error set per input; with `id`, as an update.
   */
  fieldErrors(
    spec: ResourceSpec,
    inputs: readonly Input[],
    id: number | null,
  ): Promise<FieldErrors[]>;
}

export interface ResourceRouteDeps {
  readonly registry: ResourceRegistry;
  readonly writer: ResourceWriterPort;
  /** Writers for resources whose writes go through their domain (events → the pipeline). */
  readonly writers: ReadonlyMap<string, ResourceWriterPort>;
  readonly serializer: ResourceSerializer;
  readonly baseUrl: string | null;
}

/** Moves the plugin's alternative input names and value spellings to the canonical ones. */
export function normaliseAliases(spec: ResourceSpec, body: unknown): void {
  const items = Array.isArray(body) ? body : [body];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const record = item as Record<string, unknown>;
    for (const field of allFields(spec)) {
      for (const alias of field.aliases ?? []) {
        if (alias in record && !(field.name in record)) record[field.name] = record[alias];
        delete record[alias];
      }
      const value = record[field.name];
      if (typeof value === 'string' && field.valueAliases?.[value] !== undefined) {
        record[field.name] = field.valueAliases[value];
      }
    }
  }
}

interface RouteContext {
  readonly app: FastifyInstance;
  readonly deps: ResourceRouteDeps;
  readonly spec: ResourceSpec;
  readonly tag: string;
  readonly path: string;
}

function registerList({ app, deps, spec, tag, path }: RouteContext): void {
  const store = deps.registry.store(spec.name);
  app.get(
    path,
    { schema: { tags: [tag], querystring: listQuerySchema(spec) } },
    async (request) => {
      const params = request.query as ListParams;
      const window = pageWindow(params);

      const page = await readListPage(store, deps.registry, params, window);

      const base = requestBaseUrl(request, deps.baseUrl);
      const results =
        params.brief === true
          ? page.rows.map((row) => briefOf(spec, row, base))
          : await deps.serializer.serialize(spec, page.rows, base);
      return {
        count: page.count,
        ...pageLinks(request, base, window, page.count),
        results,
      };
    },
  );
}

function registerCreate({ app, deps, spec, tag, path }: RouteContext): void {
  const store = deps.registry.store(spec.name);
  const preValidation = async (request: FastifyRequest) => normaliseAliases(spec, request.body);
  const check = deps.writer.fieldErrors.bind(deps.writer);
  app.post(
    path,
    {
      schema: { tags: [tag], body: bodySchema(spec, 'create') },
      preValidation,
      // A body that fails its schema is answered by the handler, with every other bad field.
      attachValidation: true,
    },
    async (request, reply) => {
      await refuseInvalidBody(request, spec, check, null);
      const bulk = Array.isArray(request.body);
      const inputs = (bulk ? request.body : [request.body]) as Input[];
      const ids = await deps.writer.create(spec, inputs);
      const base = requestBaseUrl(request, deps.baseUrl);
      const objects = await deps.serializer.serialize(spec, await store.getMany(ids), base);
      // One answer per item, in order: a repeated alert folded into an earlier item's event
      // answers with that event, as it stands once the whole list is in.
      const byId = new Map(objects.map((o) => [(o as { id: number }).id, o]));
      const answers = ids.map((id) => byId.get(id));
      return reply.code(201).send(bulk ? answers : answers[0]);
    },
  );
}

function registerItem({ app, deps, spec, tag, path }: RouteContext): void {
  const store = deps.registry.store(spec.name);
  const byId = `${path}:id/`;
  const params = idParamsSchema;
  const preValidation = async (request: FastifyRequest) => normaliseAliases(spec, request.body);
  const check = deps.writer.fieldErrors.bind(deps.writer);
  const one = async (request: FastifyRequest, id: number) => {
    const row = await store.get(id);
    if (row === null) throw new NotFoundError();
    const base = requestBaseUrl(request, deps.baseUrl);
    return (await deps.serializer.serialize(spec, [row], base))[0];
  };

  app.get(byId, { schema: { tags: [tag], params } }, async (request) =>
    one(request, (request.params as { id: number }).id),
  );

  for (const [method, mode] of [
    ['put', 'update'],
    ['patch', 'patch'],
  ] as const) {
    app[method](
      byId,
      {
        schema: { tags: [tag], params, body: bodySchema(spec, mode) },
        preValidation,
        attachValidation: true,
      },
      async (request) => {
        const { id } = request.params as { id: number };
        await refuseInvalidBody(request, spec, check, id);
        const actor = request.apiToken?.name ?? 'api';
        await deps.writer.update(spec, id, request.body as Input, actor);
        return one(request, id);
      },
    );
  }

  app.delete(byId, { schema: { tags: [tag], params } }, async (request, reply) => {
    await deps.writer.delete(spec, (request.params as { id: number }).id);
    return reply.code(204).send();
  });
}

/** List, create (one or many), read, replace, update and delete one resource. */
export function registerResourceRoutes(
  app: FastifyInstance,
  deps: ResourceRouteDeps,
  spec: ResourceSpec,
  tag: string,
): void {
  const writer = deps.writers.get(spec.name) ?? deps.writer;
  const context = { app, deps: { ...deps, writer }, spec, tag, path: resourcePath(spec.name) };
  registerList(context);
  registerCreate(context);
  registerItem(context);
}

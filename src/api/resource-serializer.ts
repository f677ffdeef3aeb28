import type { ResourceRegistry } from '../store/resource-registry.js';
import {
  TARGET_RESOURCES,
  allFields,
  columnOf,
  type FieldSpec,
  type ResourceSpec,
  type Row,
  type TargetType,
} from '../store/resource-spec.js';
import { maskSecret } from '../store/secret-mask.js';
import { resourcePath } from './resource-paths.js';

export type ApiObject = Record<string, unknown>;

/** Brief nested form of an object: id, url, display and the resource's brief fields. */
export function briefOf(spec: ResourceSpec, row: Row, baseUrl: string): ApiObject {
  const brief: ApiObject = {
    id: row.id,
    url: `${baseUrl}${resourcePath(spec.name)}${row.id}/`,
    display: spec.display(row),
  };
  for (const name of spec.brief) {
    const field = allFields(spec).find((f) => f.name === name);
    brief[name] = row[field === undefined ? name : columnOf(field)] ?? null;
  }
  return brief;
}

/** Rows of other resources referenced by a page of rows, loaded with one query per resource. */
class BriefCache {
  private readonly wanted = new Map<string, Set<number>>();
  private readonly rows = new Map<string, Map<number, Row>>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly baseUrl: string,
  ) {}

  want(resource: string, ids: Iterable<unknown>): void {
    const set = this.wanted.get(resource) ?? new Set<number>();
    for (const id of ids) if (typeof id === 'number') set.add(id);
    this.wanted.set(resource, set);
  }

  async load(): Promise<void> {
    for (const [resource, ids] of this.wanted) {
      const rows = await this.registry.store(resource).getMany([...ids]);
      this.rows.set(resource, new Map(rows.map((r) => [r.id, r])));
    }
  }

  brief(resource: string, id: unknown): ApiObject | null {
    const row = typeof id === 'number' ? this.rows.get(resource)?.get(id) : undefined;
    return row === undefined ? null : briefOf(this.registry.spec(resource), row, this.baseUrl);
  }
}

/**
 * Fields computed for a page of one resource rather than stored (a service's health): called
 * once per page, it returns what to add to each row's object (or to replace in it: the object
 * as stored fields make it is given too).
 */
export type ComputedFields = (
  rows: readonly Row[],
) => Promise<(row: Row, object: ApiObject) => ApiObject>;

/** Turns stored rows into API objects, NetBox style, without a query per row. */
export class ResourceSerializer {
  constructor(
    private readonly registry: ResourceRegistry,
    /** Computed fields by resource name. */
    private readonly computed: ReadonlyMap<string, ComputedFields> = new Map(),
  ) {}

  async serialize(spec: ResourceSpec, rows: Row[], baseUrl: string): Promise<ApiObject[]> {
    const store = this.registry.store(spec.name);
    const ids = rows.map((r) => r.id);
    const fields = allFields(spec);
    const cache = new BriefCache(this.registry, baseUrl);
    const links = new Map<FieldSpec, Map<number, number[]>>();

    for (const field of fields) {
      const type = field.type;
      if (type.kind === 'ref')
        cache.want(
          type.to,
          rows.map((r) => r[columnOf(field)]),
        );
      if (type.kind === 'refs') {
        const byRow = await store.loadLinks(field, ids);
        links.set(field, byRow);
        cache.want(type.to, [...byRow.values()].flat());
      }
      if (type.kind === 'target') {
        for (const row of rows) {
          const targetType = row.object_type as TargetType | null;
          if (targetType !== null) cache.want(TARGET_RESOURCES[targetType], [row.object_id]);
        }
      }
    }
    await cache.load();
    const computed = rows.length === 0 ? undefined : this.computed.get(spec.name);
    const extra = (await computed?.(rows)) ?? (() => ({}));

    return rows.map((row) => {
      const object = this.one(spec, fields, row, cache, links, baseUrl);
      return { ...object, ...extra(row, object) };
    });
  }

  private one(
    spec: ResourceSpec,
    fields: readonly FieldSpec[],
    row: Row,
    cache: BriefCache,
    links: Map<FieldSpec, Map<number, number[]>>,
    baseUrl: string,
  ): ApiObject {
    const out: ApiObject = {
      id: row.id,
      url: `${baseUrl}${resourcePath(spec.name)}${row.id}/`,
      display: spec.display(row),
    };
    for (const field of fields) {
      const type = field.type;
      if (type.kind === 'ref') {
        out[field.name] = cache.brief(type.to, row[columnOf(field)]);
      } else if (type.kind === 'refs') {
        const linked = links.get(field)?.get(row.id) ?? [];
        out[field.name] = linked.map((id) => cache.brief(type.to, id)).filter((b) => b !== null);
      } else if (type.kind === 'target') {
        const targetType = (row.object_type ?? null) as TargetType | null;
        out.object_type = targetType;
        out.object_id = row.object_id ?? null;
        out.object =
          targetType === null ? null : cache.brief(TARGET_RESOURCES[targetType], row.object_id);
      } else if (field.secret === true) {
        out[field.name] = maskSecret((row[columnOf(field)] as string | null) ?? null);
      } else {
        out[field.name] = row[columnOf(field)] ?? null;
      }
    }
    return out;
  }
}

import { sql, type ExpressionBuilder } from 'kysely';

import { ValidationError } from '../app-error.js';
import type { AnySchema } from './database.js';
import type { ResourceRegistry } from './resource-registry.js';
import { allFields, columnOf, type FieldSpec, type ResourceSpec } from './resource-spec.js';
import type { Condition } from './resource-store.js';
import { toStoredTime } from './row-codec.js';

/** Validated query parameters of a list request. */
export type ListParams = Record<string, unknown>;

type Eb = ExpressionBuilder<AnySchema, string>;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function lowerLike(column: string, pattern: string): Condition {
  return (eb: Eb) =>
    eb(eb.fn('lower', [eb.ref(column)]), 'like', sql<string>`lower(${pattern}) escape '\\'`);
}

function asList<T>(value: unknown): T[] | null {
  if (value === undefined) return null;
  return (Array.isArray(value) ? value : [value]) as T[];
}

function textConditions(column: string, name: string, params: ListParams): Condition[] {
  const out: Condition[] = [];
  const exact = asList<string>(params[name]);
  if (exact) out.push((eb) => eb(column, 'in', exact));
  const contains = asList<string>(params[`${name}__ic`]);
  for (const text of contains ?? []) out.push(lowerLike(column, `%${escapeLike(text)}%`));
  const iexact = asList<string>(params[`${name}__ie`]);
  if (iexact) {
    out.push((eb) => eb.or(iexact.map((text) => lowerLike(column, escapeLike(text))(eb))));
  }
  const not = asList<string>(params[`${name}__n`]);
  if (not) out.push((eb) => eb(column, 'not in', not));
  return out;
}

function rangeConditions(
  column: string,
  name: string,
  params: ListParams,
  encode: (v: unknown) => unknown,
): Condition[] {
  const out: Condition[] = [];
  const exact = asList<unknown>(params[name]);
  if (exact) out.push((eb) => eb(column, 'in', exact.map(encode)));
  for (const [suffix, op] of [
    ['__gte', '>='],
    ['__lte', '<='],
  ] as const) {
    for (const v of asList<unknown>(params[`${name}${suffix}`]) ?? []) {
      out.push((eb) => eb(column, op, encode(v)));
    }
  }
  return out;
}

/** Rows whose relation points at one of the ids, or at one of the named objects. */
function relationConditions(
  spec: ResourceSpec,
  field: FieldSpec,
  params: ListParams,
  registry: ResourceRegistry,
): Condition[] {
  const type = field.type;
  if (type.kind !== 'ref' && type.kind !== 'refs') return [];
  const as = field.filterAs ?? field.name;
  const ids = asList<number>(params[`${as}_id`]);
  const names = asList<string>(params[as]);
  const target = registry.spec(type.to);
  if (names && target.nameColumn === undefined) {
    throw ValidationError.field(as, `Filter by ${as}_id; ${target.singular} has no name.`);
  }
  const targetIds = (eb: Eb, values: string[]) =>
    eb.selectFrom(target.table).select('id').where(target.nameColumn!, 'in', values);

  const out: Condition[] = [];
  if (type.kind === 'ref') {
    const column = `${spec.table}.${columnOf(field)}`;
    if (ids) out.push((eb) => eb(column, 'in', ids));
    if (names) out.push((eb) => eb(column, 'in', targetIds(eb, names)));
    return out;
  }
  const { table, ownColumn, otherColumn } = type.link;
  const linked = (eb: Eb, others: Parameters<Eb>[2]) =>
    eb(
      `${spec.table}.id`,
      'in',
      eb.selectFrom(table).select(ownColumn).where(otherColumn, 'in', others),
    );
  if (ids) out.push((eb) => linked(eb, ids));
  if (names) out.push((eb) => linked(eb, targetIds(eb, names)));
  return out;
}

function fieldConditions(
  spec: ResourceSpec,
  field: FieldSpec,
  params: ListParams,
  registry: ResourceRegistry,
): Condition[] {
  const column = `${spec.table}.${columnOf(field)}`;
  switch (field.type.kind) {
    case 'string':
    case 'text':
    case 'enum':
      return textConditions(column, field.name, params);
    case 'integer':
      return rangeConditions(column, field.name, params, (v) => v);
    case 'datetime':
      return rangeConditions(column, field.name, params, (v) => toStoredTime(String(v)));
    case 'boolean': {
      const value = params[field.name];
      return value === undefined ? [] : [(eb) => eb(column, '=', value ? 1 : 0)];
    }
    case 'target': {
      const types = asList<string>(params.object_type);
      const ids = asList<number>(params.object_id);
      return [
        ...(types ? [(eb: Eb) => eb(`${spec.table}.object_type`, 'in', types)] : []),
        ...(ids ? [(eb: Eb) => eb(`${spec.table}.object_id`, 'in', ids)] : []),
      ];
    }
    default:
      return relationConditions(spec, field, params, registry);
  }
}

function createdConditions(spec: ResourceSpec, params: ListParams): Condition[] {
  const field = allFields(spec).find((f) => f.name === (spec.createdField ?? 'created'))!;
  const column = `${spec.table}.${columnOf(field)}`;
  const out: Condition[] = [];
  if (typeof params.created_after === 'string') {
    const after = toStoredTime(params.created_after);
    out.push((eb) => eb(column, '>=', after));
  }
  if (typeof params.created_before === 'string') {
    const before = toStoredTime(params.created_before);
    out.push((eb) => eb(column, '<=', before));
  }
  return out;
}

/** SQL conditions for the filters of a list request (all must hold). */
export function buildConditions(
  spec: ResourceSpec,
  params: ListParams,
  registry: ResourceRegistry,
): Condition[] {
  const out: Condition[] = [];
  const ids = asList<number>(params.id);
  if (ids) out.push((eb) => eb(`${spec.table}.id`, 'in', ids));
  for (const tag of asList<string>(params.tag) ?? []) {
    const contains = registry.database.dialect.jsonArrayContains(`${spec.table}.tags`, tag);
    out.push(() => contains);
  }
  out.push(...createdConditions(spec, params));

  if (typeof params.q === 'string' && params.q.trim() !== '') {
    const pattern = `%${escapeLike(params.q.trim())}%`;
    const searched = allFields(spec).filter((f) => f.search);
    out.push((eb) =>
      eb.or(searched.map((f) => lowerLike(`${spec.table}.${columnOf(f)}`, pattern)(eb))),
    );
  }

  for (const field of allFields(spec)) {
    if (field.filter) out.push(...fieldConditions(spec, field, params, registry));
  }
  return out;
}

/** Order of a list: `?ordering=` (sortable fields only) or the resource's default. */
export function buildOrdering(spec: ResourceSpec, ordering: unknown): string[] {
  if (typeof ordering !== 'string' || ordering.trim() === '') return [...spec.ordering];
  return ordering.split(',').map((entry) => {
    const desc = entry.trim().startsWith('-');
    const name = entry.trim().replace(/^-/, '');
    const field = allFields(spec).find((f) => f.name === name && (f.sortable || name === 'id'));
    if (name !== 'id' && field === undefined) {
      const allowed = allFields(spec)
        .filter((f) => f.sortable)
        .map((f) => f.name);
      throw ValidationError.field(
        'ordering',
        `Cannot order by "${name}". Choose from: id, ${allowed.join(', ')}.`,
      );
    }
    return `${desc ? '-' : ''}${field === undefined ? 'id' : columnOf(field)}`;
  });
}

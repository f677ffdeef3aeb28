import {
  TARGET_TYPES,
  allFields,
  type FieldSpec,
  type FieldType,
  type ResourceSpec,
} from '../store/resource-spec.js';
import { BULK_KEYWORD, NOT_BLANK } from './schema-validation.js';

type JsonSchema = Record<string, unknown>;

/**
 * The largest integer either engine stores: ids, references and counters are `integer` columns,
 * which PostgreSQL holds in 32 bits. A larger value is refused as input, never sent to SQL.
 */
export const MAX_INTEGER = 2_147_483_647;

/** An id or count as the API accepts it, from `minimum` up to what the columns hold. */
function integerSchema(minimum?: number): JsonSchema {
  return {
    type: 'integer',
    ...(minimum !== undefined ? { minimum } : {}),
    maximum: MAX_INTEGER,
  };
}

/** The id of an object: 1 up to MAX_INTEGER. */
export const idSchema = integerSchema(1);

/**
 * A required text field may not be blank or only white space (Django REST framework's
 * `allow_blank=False`, what NetBox gives a model field that is neither optional nor defaulted);
 * optional text may be blank.
 */
function textSchema(field: FieldSpec, maxLength?: number): JsonSchema {
  return {
    type: 'string',
    ...(field.required ? { minLength: 1, pattern: NOT_BLANK } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
  };
}

function withNull(schema: JsonSchema, nullable: boolean | undefined): JsonSchema {
  if (!nullable) return schema;
  const type = schema.type;
  // A choice list must name null too, or a typed nullable choice would still refuse it.
  const widened = Array.isArray(schema.enum)
    ? { ...schema, enum: [...(schema.enum as unknown[]), null] }
    : schema;
  return typeof type === 'string' ? { ...widened, type: [type, 'null'] } : widened;
}

/** Schema of a field's input value. */
function inputSchema(field: FieldSpec): JsonSchema {
  const type: FieldType = field.type;
  switch (type.kind) {
    case 'string':
      return {
        ...textSchema(field, type.maxLength),
        ...(type.format === 'url' ? { format: 'http-url' } : {}),
      };
    case 'text':
      return textSchema(field);
    case 'enum':
      return { type: 'string', enum: [...type.values] };
    case 'integer':
      return integerSchema(type.minimum);
    case 'boolean':
      return { type: 'boolean' };
    case 'datetime':
      return { type: 'string', format: 'datetime' };
    case 'json':
      return {};
    case 'object':
      return { type: 'object' };
    case 'strings':
      return {
        type: 'array',
        items: { type: 'string', minLength: 1, maxLength: type.maxLength ?? 255 },
      };
    case 'ref':
      return { ...idSchema, description: 'Id of the related object.' };
    case 'refs':
      return { type: 'array', items: idSchema };
    case 'target':
      return {};
  }
}

function describe(field: FieldSpec, schema: JsonSchema): JsonSchema {
  return field.description === undefined ? schema : { ...schema, description: field.description };
}

/**
 * Body schema for writes: create and full update require the required fields, a partial update
 * requires none. Creation also accepts a list (bulk create).
 */
export function bodySchema(spec: ResourceSpec, mode: 'create' | 'update' | 'patch'): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of allFields(spec)) {
    if (field.readOnly) continue;
    if (field.type.kind === 'target') {
      const types = [...(field.type.types ?? TARGET_TYPES)];
      properties.object_type = withNull({ type: 'string', enum: types }, field.nullable);
      properties.object_id = withNull(idSchema, field.nullable);
      if (field.required && mode !== 'patch') required.push('object_type', 'object_id');
      continue;
    }
    properties[field.name] = describe(field, withNull(inputSchema(field), field.nullable));
    if (field.required && mode !== 'patch') required.push(field.name);
  }
  const item: JsonSchema = { type: 'object', properties, required };
  return mode === 'create' ? { ...item, [BULK_KEYWORD]: true } : item;
}

const idList = { type: 'array', items: integerSchema() };
const textList = { type: 'array', items: { type: 'string' } };
const timeList = { type: 'array', items: { type: 'string', format: 'datetime' } };

/** Filter parameters of one field: name → schema (every filter may repeat). */
export function fieldFilters(field: FieldSpec): Record<string, JsonSchema> {
  const type = field.type;
  const name = field.name;
  switch (type.kind) {
    case 'string':
    case 'text':
      return {
        [name]: textList,
        [`${name}__ic`]: textList,
        [`${name}__ie`]: textList,
        [`${name}__n`]: textList,
      };
    case 'enum':
      return {
        [name]: { type: 'array', items: { type: 'string', enum: [...type.values] } },
        [`${name}__n`]: textList,
      };
    case 'integer':
      return { [name]: idList, [`${name}__gte`]: idList, [`${name}__lte`]: idList };
    case 'boolean':
      return { [name]: { type: 'boolean' } };
    case 'datetime':
      return { [`${name}__gte`]: timeList, [`${name}__lte`]: timeList };
    case 'ref':
    case 'refs': {
      const as = field.filterAs ?? name;
      return { [as]: textList, [`${as}_id`]: idList };
    }
    case 'target':
      return { object_type: textList, object_id: idList };
    default:
      return {};
  }
}

/** Query string schema of a list: pagination, ordering, search and every field filter. */
export function listQuerySchema(spec: ResourceSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    limit: { ...integerSchema(0), description: 'Page size (default 50, at most 1000).' },
    offset: integerSchema(0),
    ordering: { type: 'string', description: 'Field to order by; prefix - for descending.' },
    q: { type: 'string', description: 'Text search.' },
    brief: { type: 'boolean', description: 'Return brief objects.' },
    id: idList,
    tag: textList,
    created_after: { type: 'string', format: 'datetime' },
    created_before: { type: 'string', format: 'datetime' },
  };
  for (const field of allFields(spec)) {
    if (field.filter) Object.assign(properties, fieldFilters(field));
  }
  return { type: 'object', properties };
}

export const idParamsSchema: JsonSchema = {
  type: 'object',
  properties: { id: idSchema },
  required: ['id'],
};

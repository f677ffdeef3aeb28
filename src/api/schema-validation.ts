import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

import type { FieldErrors } from '../app-error.js';
import {
  MAX_JSON_DEPTH,
  NULL_CHARACTER,
  TOO_DEEP,
  jsonLimitErrors,
  queryLimitErrors,
} from './json-limits.js';

/** Marks a body schema whose value may also be a non-empty list of such objects. */
export const BULK_KEYWORD = 'x-bulk';

/** Pattern of text that may not be blank: it holds something besides white space. */
export const NOT_BLANK = '\\S';

const DATETIME =
  /^\d{4}-\d{2}-\d{2}([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

const DATETIME_MESSAGE =
  'Datetime has wrong format. Use one of these formats instead: ' +
  'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

/** True when the date part names a real day: Date.parse rolls 2026-02-30 over into March. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isDatetime(value: string): boolean {
  return DATETIME.test(value) && !isNaN(Date.parse(value)) && isCalendarDate(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    coerceTypes: coerce ? 'array' : false,
    strict: false,
  });
  addFormats.default(ajv, ['uri', 'email', 'uuid']);
  ajv.addFormat('datetime', isDatetime);
  ajv.addFormat('http-url', isHttpUrl);
  ajv.addKeyword({ keyword: BULK_KEYWORD, schemaType: 'boolean' });
  return ajv;
}

/** A validator that also refuses, field by field, what the databases cannot store. */
function withLimits(
  validator: ValidateFunction,
  limitErrors: (data: unknown) => ErrorObject[],
): ValidateFunction {
  const validate = ((data: unknown) => {
    const ok = validator(data);
    const errors = [...(validator.errors ?? []), ...limitErrors(data)];
    validate.errors = errors.length > 0 ? errors : null;
    return ok && errors.length === 0;
  }) as ValidateFunction;
  return validate;
}

/** A validator that also accepts a list of valid objects, reporting errors as `/<index>/…`. */
function bulkValidator(itemValidator: ValidateFunction): ValidateFunction {
  const validate = ((data: unknown) => {
    if (!Array.isArray(data)) {
      const ok = itemValidator(data);
      validate.errors = itemValidator.errors ?? null;
      return ok;
    }
    const errors: ErrorObject[] = [];
    if (data.length === 0) {
      errors.push({
        instancePath: '',
        schemaPath: '',
        keyword: 'minItems',
        params: { limit: 1 },
      });
    }
    data.forEach((item, index) => {
      if (itemValidator(item)) return;
      for (const e of itemValidator.errors ?? []) {
        errors.push({ ...e, instancePath: `/${index}${e.instancePath}` });
      }
    });
    validate.errors = errors.length > 0 ? errors : null;
    return errors.length === 0;
  }) as ValidateFunction;
  return validate;
}

/** Query booleans as NetBox reads them (`brief=1`, `brief=True`): true, false, 1, 0, any case. */
const QUERY_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
]);

/** A query string validator that first reads every spelling of a boolean parameter. */
function queryValidator(schema: Record<string, unknown>, validator: ValidateFunction) {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const booleans = Object.keys(properties).filter((name) => properties[name]?.type === 'boolean');
  const validate = ((data: unknown) => {
    const query = (data ?? {}) as Record<string, unknown>;
    for (const name of booleans) {
      const value = query[name];
      if (typeof value === 'string') query[name] = QUERY_BOOLEANS.get(value.toLowerCase()) ?? value;
    }
    const ok = validator(data);
    validate.errors = validator.errors ?? null;
    return ok;
  }) as ValidateFunction;
  return validate;
}

/** One strict validator for bodies checked by hand (each item of an alert batch). */
let sharedStrict: Ajv | null = null;
export function compileBodyValidator(schema: Record<string, unknown>): ValidateFunction {
  sharedStrict ??= createAjv(false);
  return sharedStrict.compile(schema);
}

/**
 * Fastify validator compiler: request bodies are checked as sent (no type coercion, every error
 * reported), and so are what the databases cannot store; query strings and path parameters are
 * coerced, as they arrive as text.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<Record<string, unknown>> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  return ({ schema, httpPart }) => {
    if (httpPart === 'querystring') {
      return withLimits(queryValidator(schema, coercing.compile(schema)), queryLimitErrors);
    }
    if (httpPart !== 'body') return coercing.compile(schema);
    if (schema[BULK_KEYWORD] === true) {
      const { [BULK_KEYWORD]: _bulk, ...item } = schema;
      return bulkValidator(withLimits(strict.compile(item), jsonLimitErrors));
    }
    return withLimits(strict.compile(schema), jsonLimitErrors);
  };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return 'dict';
}

/** The message NetBox (Django REST framework) gives for the same mistake. */
function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'This field is required.';
    case 'type': {
      if (error.data === null) return 'This field may not be null.';
      const expected = String(params.type).split(',')[0];
      if (expected === 'string') return 'Not a valid string.';
      if (expected === 'integer') return 'A valid integer is required.';
      if (expected === 'number') return 'A valid number is required.';
      if (expected === 'boolean') return 'Must be a valid boolean.';
      if (expected === 'array')
        return `Expected a list of items but got type "${typeName(error.data)}".`;
      return `Expected a dictionary of items but got type "${typeName(error.data)}".`;
    }
    case 'maxLength':
      return `Ensure this field has no more than ${String(params.limit)} characters.`;
    case 'minLength':
      return 'This field may not be blank.';
    case 'pattern':
      if (params.pattern === NOT_BLANK) return 'This field may not be blank.';
      return 'This value does not match the required pattern.';
    case NULL_CHARACTER:
      return 'Null characters are not allowed.';
    case TOO_DEEP:
      return `Ensure this value is nested no more than ${MAX_JSON_DEPTH} levels deep.`;
    case 'enum':
      return `"${String(error.data)}" is not a valid choice.`;
    case 'format':
      if (params.format === 'datetime') return DATETIME_MESSAGE;
      if (params.format === 'http-url' || params.format === 'uri') return 'Enter a valid URL.';
      return `Enter a valid ${String(params.format)}.`;
    case 'minimum':
      return `Ensure this value is greater than or equal to ${String(params.limit)}.`;
    case 'maximum':
      return `Ensure this value is less than or equal to ${String(params.limit)}.`;
    case 'minItems':
      return 'This list may not be empty.';
    case 'maxItems':
      return `Ensure this field has no more than ${String(params.limit)} elements.`;
    case 'additionalProperties':
      return 'Unknown field.';
    default:
      return error.message ?? 'Invalid value.';
  }
}

/** Field name of an error: the first path segment, or the missing property. */
function fieldOf(segments: string[], error: ErrorObject): string {
  if (segments.length > 0) return segments[0]!;
  if (error.keyword === 'required') return String(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
  return 'non_field_errors';
}

function add(errors: FieldErrors, field: string, message: string): void {
  const list = (errors[field] ??= []);
  if (!list.includes(message)) list.push(message);
}

/** An error about the body as a whole being of the wrong type (a list where one object goes). */
function isRootTypeError(error: ErrorObject): boolean {
  return error.instancePath === '' && error.keyword === 'type';
}

/**
 * Ajv errors in NetBox's shape: `{"field": ["message"]}`, or for a list body that the schema
 * takes (bulk create) one such object per item (empty for good items).
 */
export function toFieldErrors(
  errors: readonly ErrorObject[],
  body?: unknown,
): FieldErrors | FieldErrors[] {
  const perItem = Array.isArray(body) && body.length > 0 && !errors.some(isRootTypeError);
  const items: FieldErrors[] = perItem ? body.map(() => ({})) : [];
  const single: FieldErrors = {};

  for (const error of errors) {
    // A null for a non-nullable choice also fails its type check, which says it better.
    if (error.keyword === 'enum' && error.data === null) continue;
    const segments = error.instancePath.split('/').slice(1);
    const target = perItem ? items[Number(segments.shift())] : single;
    if (target === undefined) continue;
    const root = segments.length === 0 && error.keyword === 'type';
    const message = !root
      ? messageOf(error)
      : error.data === undefined
        ? 'No data provided'
        : `Invalid data. Expected a dictionary, but got ${typeName(error.data)}.`;
    add(target, root ? 'non_field_errors' : fieldOf(segments, error), message);
  }
  return perItem ? items : single;
}

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

import type { FieldErrors } from '../app-error.js';

/** Marks a body schema whose value may also be a non-empty list of such objects. */
export const BULK_KEYWORD = 'x-bulk';

const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

const DATETIME_MESSAGE =
  'Datetime has wrong format. Use one of these formats instead: ' +
  'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

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
  ajv.addFormat('datetime', (value: string) => DATETIME.test(value) && !isNaN(Date.parse(value)));
  ajv.addFormat('http-url', isHttpUrl);
  ajv.addKeyword({ keyword: BULK_KEYWORD, schemaType: 'boolean' });
  return ajv;
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

/**
 * Fastify validator compiler: request bodies are checked as sent (no type coercion, every error
 * reported); query strings and path parameters are coerced, as they arrive as text.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<Record<string, unknown>> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return coercing.compile(schema);
    if (schema[BULK_KEYWORD] === true) {
      const { [BULK_KEYWORD]: _bulk, ...item } = schema;
      return bulkValidator(strict.compile(item));
    }
    return strict.compile(schema);
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
    default:
      return error.message ?? 'Invalid value.';
  }
}

/** Field name of an error: the first path segment, or the missing property. */
function fieldOf(segments: string[], error: ErrorObject): string {
  if (segments.length > 0) return segments[0]!;
  if (error.keyword === 'required') return String(error.params.missingProperty);
  return 'non_field_errors';
}

function add(errors: FieldErrors, field: string, message: string): void {
  const list = (errors[field] ??= []);
  if (!list.includes(message)) list.push(message);
}

/**
 * Ajv errors in NetBox's shape: `{"field": ["message"]}`, or for a list body one such object
 * per item (empty for good items).
 */
export function toFieldErrors(
  errors: readonly ErrorObject[],
  body?: unknown,
): FieldErrors | FieldErrors[] {
  const perItem = Array.isArray(body) && body.length > 0;
  const items: FieldErrors[] = perItem ? body.map(() => ({})) : [];
  const single: FieldErrors = {};

  for (const error of errors) {
    const segments = error.instancePath.split('/').slice(1);
    const target = perItem ? items[Number(segments.shift())] : single;
    if (target === undefined) continue;
    const root = segments.length === 0 && error.keyword === 'type';
    const message = root
      ? `Invalid data. Expected a dictionary, but got ${typeName(error.data)}.`
      : messageOf(error);
    add(target, root ? 'non_field_errors' : fieldOf(segments, error), message);
  }
  return perItem ? items : single;
}

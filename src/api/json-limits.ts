import type { ErrorObject } from 'ajv';

/**
 * How deeply a field's value may nest objects and lists. Far beyond any real custom field or
 * alert payload, and far below what would exhaust the stack when the value is encoded.
 */
export const MAX_JSON_DEPTH = 32;

/** Keywords of the errors below, for the messages in schema-validation.ts. */
export const TOO_DEEP = 'x-max-depth';
export const NULL_CHARACTER = 'x-null-character';

interface Problems {
  tooDeep: boolean;
  nullCharacter: boolean;
}

/** Looks through `value` (at nesting `depth`) for NUL characters and for nesting too deep. */
function inspect(value: unknown, depth: number, found: Problems): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.nullCharacter = true;
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_JSON_DEPTH) {
    // Deeper levels are not visited: the recursion stays bounded whatever was sent.
    found.tooDeep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) inspect(item, depth + 1, found);
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (key.includes('\u0000')) found.nullCharacter = true;
    inspect(object[key], depth + 1, found);
  }
}

/** A JSON pointer segment, escaped as Ajv writes them. */
function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function limitError(path: string, keyword: string, data: unknown): ErrorObject {
  return { instancePath: path, schemaPath: '', keyword, params: {}, data };
}

/**
 * What neither database can store, for each field of an object body: text with NUL characters
 * (PostgreSQL refuses them in text and jsonb) and values nested deeper than MAX_JSON_DEPTH.
 * Bodies that are not objects are left to the schema's type check.
 */
export function jsonLimitErrors(body: unknown): ErrorObject[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const errors: ErrorObject[] = [];
  const object = body as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const found: Problems = { tooDeep: false, nullCharacter: key.includes('\u0000') };
    inspect(value, 0, found);
    if (!found.nullCharacter && !found.tooDeep) continue;
    const path = `/${pointer(key)}`;
    if (found.nullCharacter) errors.push(limitError(path, NULL_CHARACTER, value));
    if (found.tooDeep) errors.push(limitError(path, TOO_DEEP, value));
  }
  return errors;
}

/** NUL characters in query parameters, named by parameter. */
export function queryLimitErrors(query: unknown): ErrorObject[] {
  if (query === null || typeof query !== 'object') return [];
  const errors: ErrorObject[] = [];
  for (const [key, value] of Object.entries(query)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    const bad =
      key.includes('\u0000') || values.some((v) => typeof v === 'string' && v.includes('\u0000'));
    if (bad) errors.push(limitError(`/${pointer(key)}`, NULL_CHARACTER, value));
  }
  return errors;
}

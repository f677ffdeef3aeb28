import type { ErrorObject } from 'ajv';
import type { FastifyRequest } from 'fastify';

import { ValidationError, type FieldErrors } from '../app-error.js';
import type { ResourceSpec } from '../store/resource-spec.js';
import type { Input } from '../store/resource-writer.js';
import { toFieldErrors } from './schema-validation.js';

/** Finds what else is wrong with the schema-valid fields of a refused write (see the port). */
export type FieldChecker = (
  spec: ResourceSpec,
  inputs: readonly Input[],
  id: number | null,
) => Promise<FieldErrors[]>;

function isInput(value: unknown): value is Input {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The fields of `item` that passed the schema. A target is checked as a pair, so a bad
 * object_type or object_id leaves both out.
 */
function validFields(item: Input, errors: FieldErrors): Input {
  const valid: Input = {};
  const badTarget = 'object_type' in errors || 'object_id' in errors;
  for (const [name, value] of Object.entries(item)) {
    if (name in errors) continue;
    if (badTarget && (name === 'object_type' || name === 'object_id')) continue;
    valid[name] = value;
  }
  return valid;
}

function merge(into: FieldErrors, more: FieldErrors): void {
  for (const [field, messages] of Object.entries(more)) {
    const list = (into[field] ??= []);
    for (const message of messages) if (!list.includes(message)) list.push(message);
  }
}

/**
 * When the body of a write failed its schema (the route attaches the failure instead of
 * answering at once), throws one ValidationError naming every bad field: the schema's errors,
 * and the unknown related ids and unique clashes of the fields that passed it, item by item for
 * a bulk create. A failure of the path or query string is thrown as it is.
 */
export async function refuseInvalidBody(
  request: FastifyRequest,
  spec: ResourceSpec,
  check: FieldChecker,
  id: number | null,
): Promise<void> {
  const failure = request.validationError;
  if (failure === undefined) return;
  if (failure.validationContext !== 'body') throw failure;

  const body = request.body;
  const found = toFieldErrors((failure.validation ?? []) as ErrorObject[], body);
  const perItem = Array.isArray(found);
  const items: FieldErrors[] = perItem ? found : [found];
  const inputs: unknown[] = perItem ? (body as unknown[]) : [body];
  // An item that is not an object has nothing more to check.
  const checked = inputs.flatMap((input, i) => (isInput(input) ? [i] : []));
  if (checked.length > 0) {
    const valid = checked.map((i) => validFields(inputs[i] as Input, items[i]!));
    const more = await check(spec, valid, id);
    more.forEach((errors, k) => merge(items[checked[k]!]!, errors));
  }
  throw new ValidationError(perItem ? items : items[0]!);
}

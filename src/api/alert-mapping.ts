import type { ErrorObject } from 'ajv';

import type { FieldErrors } from '../app-error.js';
import type { EventInput, EventOutcome } from '../events/event-input.js';
import type { AlertFormat, IngestContext } from '../ingest/alert-format.js';
import type { AlertIntake } from '../ingest/alert-intake.js';
import { isObject } from '../ingest/alert-rules.js';
import { jsonLimitErrors } from './json-limits.js';
import { compileBodyValidator, toFieldErrors } from './schema-validation.js';

/** One alert payload: the event it becomes, or every reason it cannot. */
export type Mapping = { readonly input: EventInput } | { readonly errors: FieldErrors };

export type Mapper = (payload: unknown) => Mapping;

/**
 * Errors inside nested objects named by their dotted path (`payload.summary`, `labels.env`), so
 * that a message such as "This field is required." says which field.
 */
function dottedPaths(errors: readonly ErrorObject[]): ErrorObject[] {
  return errors.map((error) => {
    const segments = error.instancePath.split('/').slice(1);
    if (segments.length === 0) return error;
    if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
    return { ...error, instancePath: `/${segments.join('.')}` };
  });
}

export interface CheckOptions {
  /**
   * False when the payload comes out of a body already checked for what no database stores
   * (an alert of an Alertmanager group): the walk through it is not made twice.
   */
  readonly limits?: boolean;
}

/**
 * Checks a payload against `schema`, and for what no database stores (NUL characters, JSON
 * nested too deep), in NetBox's error shape.
 */
export function schemaChecker(
  schema: Readonly<Record<string, unknown>>,
  { limits = true }: CheckOptions = {},
) {
  const validate = compileBodyValidator({ ...schema });
  return (payload: unknown): FieldErrors => {
    const errors = validate(payload) ? [] : [...(validate.errors ?? [])];
    if (limits) errors.push(...jsonLimitErrors(payload));
    return errors.length === 0 ? {} : (toFieldErrors(dottedPaths(errors)) as FieldErrors);
  };
}

/** Every reason a payload is not valid: the schema's, then the format's own (run on any object). */
export function alertChecker(
  format: AlertFormat,
  context: IngestContext,
  options: CheckOptions = {},
) {
  const checkSchema = schemaChecker(format.schema, options);
  return (payload: unknown): FieldErrors => {
    const errors = checkSchema(payload);
    if (isObject(payload)) {
      for (const [field, messages] of Object.entries(format.check(payload, context))) {
        const known = errors[field] ?? [];
        errors[field] = [...known, ...messages.filter((m) => !known.includes(m))];
      }
    }
    return errors;
  };
}

/** Checks a payload, then maps it when valid. */
export function alertMapper(
  format: AlertFormat,
  context: IngestContext,
  options: CheckOptions = {},
): Mapper {
  const check = alertChecker(format, context, options);
  return (payload) => {
    const errors = check(payload);
    if (Object.keys(errors).length > 0) return { errors };
    return { input: format.toEvent(payload, context) };
  };
}

/** The answer to one alert stored: the plugin's, with a warning for an unknown target. */
export function alertAnswer(outcome: EventOutcome) {
  return {
    status: 'success',
    event_id: outcome.eventId,
    incident_id: outcome.incidentId,
    message: 'Alert processed successfully',
    ...(outcome.warning === null ? {} : { warning: outcome.warning }),
  };
}

export interface AcceptedItem {
  readonly index: number;
  readonly event_id: number;
  readonly incident_id: number | null;
  readonly dedup_id: string;
  readonly warning?: string;
}

export interface RejectedItem {
  readonly index: number;
  readonly errors: FieldErrors;
}

/** Every item on its own: the valid ones stored (each in its own right), the others named. */
export async function ingestEach(
  intake: AlertIntake,
  items: readonly unknown[],
  map: Mapper,
): Promise<{ accepted: AcceptedItem[]; rejected: RejectedItem[] }> {
  const mapped = items.map((item) => map(item));
  const stored = await Promise.all(
    mapped.map(async (m, index): Promise<AcceptedItem | null> => {
      if ('errors' in m) return null;
      const outcome = await intake.record(m.input);
      return {
        index,
        event_id: outcome.eventId,
        incident_id: outcome.incidentId,
        dedup_id: m.input.dedupId,
        ...(outcome.warning === null ? {} : { warning: outcome.warning }),
      };
    }),
  );
  const rejected = mapped.flatMap((m, index) =>
    'errors' in m ? [{ index, errors: m.errors }] : [],
  );
  return { accepted: stored.filter((a) => a !== null), rejected };
}

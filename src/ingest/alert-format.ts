import type { FieldErrors } from '../app-error.js';
import type { Clock } from '../clock.js';
import type { AlertSource, IngestSettings } from '../config/settings.js';
import type { EventInput } from '../events/event-input.js';

/** What a payload's checks and mapping may depend on besides the payload. */
export interface IngestContext {
  readonly clock: Clock;
  readonly settings: IngestSettings;
}

/**
 * A monitoring tool's payload for one alert: its JSON schema, the checks the schema cannot
 * express, and its mapping to the event pipeline's input.
 */
export interface AlertFormat<Payload = unknown> {
  readonly source: AlertSource;
  readonly schema: Readonly<Record<string, unknown>>;
  /** Runs on schema-invalid payloads too, on whatever fields are present: every bad field named. */
  check(payload: Record<string, unknown>, context: IngestContext): FieldErrors;
  /** Maps a payload that passed the schema and the checks. */
  toEvent(payload: Payload, context: IngestContext): EventInput;
}

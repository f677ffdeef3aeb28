import type { Severity } from '../config/settings.js';
import type { ScoreComponents } from '../correlate/correlation-types.js';
import type { NamedTargetType } from '../topology/topology-index.js';
import type { EventStatus } from './event-specs.js';

/** The target of an alert: an object id, or a name to resolve. */
export type TargetInput =
  | { readonly type: NamedTargetType; readonly id: number }
  | { readonly type: NamedTargetType; readonly identifier: string };

/** One alert occurrence, normalised from whatever door it came in by. */
export interface EventInput {
  /** The event source, by id or by name (created on first use); null for none. */
  readonly source: { readonly id: number } | { readonly name: string } | null;
  readonly dedupId: string;
  readonly message: string;
  readonly status: EventStatus;
  readonly criticality: Severity;
  readonly target: TargetInput | null;
  /** The alert's own time (ISO 8601); receipt time when absent. */
  readonly time?: string | null;
  readonly raw?: unknown;
  readonly tags?: readonly string[];
  readonly customFields?: Readonly<Record<string, unknown>>;
}

export type CorrelationAction = 'created' | 'joined' | 'reopened' | 'skipped';

/** The stored explanation of what the automation did with an event, and why. */
export interface CorrelationRecord {
  readonly action: CorrelationAction;
  /** Why nothing was done (skipped only). */
  readonly reason: string | null;
  readonly incident_id: number | null;
  /**
   * The chosen incident's score, its terms and relation; for a created decision, those of the
   * best candidate (below the threshold). Null when no incident was scored.
   */
  readonly score: number | null;
  readonly components: ScoreComponents | null;
  readonly relation: string | null;
  readonly threshold: number;
  /** The best candidates considered, best first. */
  readonly candidates: ReadonlyArray<{ incident_id: number; score: number }>;
  /** Open incidents this event showed to be the same failure, merged into incident_id. */
  readonly merged_incidents?: readonly number[];
  readonly decided_at: string;
}

export interface EventOutcome {
  readonly eventId: number;
  /** False when the alert was a repeat of a stored one. */
  readonly created: boolean;
  /** The open incident holding the event after processing, if any. */
  readonly incidentId: number | null;
  /** The decision made now, or null when none was due (a repeat, an ok, …). */
  readonly correlation: CorrelationRecord | null;
  /** Something the sender should know (an unresolved target). */
  readonly warning: string | null;
}

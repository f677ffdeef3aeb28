import type { ScoreComponents } from '../correlate/correlation-types.js';
import type { IncidentState } from '../incidents/incident-index.js';
import type { Logger } from '../log/logger.js';
import { currentDecisionScope } from './decision-scope.js';
import type { CorrelationAction, CorrelationRecord } from './event-input.js';

/** The score's five terms, as the log carries them. */
interface LoggedComponents {
  readonly service_overlap: number;
  readonly dependency: number;
  readonly infrastructure: number;
  readonly time_factor: number;
  readonly severity_bonus: number;
}

function loggedComponents(components: ScoreComponents | null): LoggedComponents | null {
  if (components === null) return null;
  const { service_overlap, dependency, infrastructure, time_factor, severity_bonus } = components;
  return { service_overlap, dependency, infrastructure, time_factor, severity_bonus };
}

// The guide greps the real messages ("Created new incident") and the `correlation_score`
// field; previews use other words and fields so that those greps count real decisions only.
const REAL_MESSAGES: Record<CorrelationAction, string> = {
  created: 'Created new incident',
  joined: 'Event joined incident',
  reopened: 'Reopened incident',
  skipped: 'event not correlated',
};

const PREVIEW_MESSAGES: Record<CorrelationAction, string> = {
  created: 'would create incident',
  joined: 'would join incident',
  reopened: 'would reopen incident',
  skipped: 'event would not be correlated',
};

/** A dry run's decision: at debug, marked `dry_run`, without the real decision's fields. */
function logPreview(
  logger: Logger,
  eventId: number,
  record: CorrelationRecord,
  reformed: boolean,
): void {
  logger.debug(
    {
      event_id: eventId,
      incident_id: record.incident_id,
      dry_run: true,
      preview_action: record.action,
      preview_score: record.score,
      ...(reformed ? { incident_reformed: true } : {}),
      ...(record.reason === null ? {} : { preview_reason: record.reason }),
    },
    reformed ? 'would re-form incident' : PREVIEW_MESSAGES[record.action],
  );
}

/**
 * Logs an incident decision. A real one is an info line with its score and the score's terms;
 * an incident a regrouping re-forms is "Re-formed incident", not a creation. A dry run's
 * decision is only a debug line: its incident may never exist.
 */
export function logDecision(
  logger: Logger,
  eventId: number,
  record: CorrelationRecord,
  state: IncidentState,
): void {
  const scope = currentDecisionScope();
  const reformed = record.action === 'created' && scope?.reforming?.has(state.id) === true;
  if (scope?.dryRun === true) {
    logPreview(logger, eventId, record, reformed);
    return;
  }

  const fields = {
    event_id: eventId,
    incident_id: state.id,
    correlation_action: record.action,
    correlation_score: record.score,
    correlation_components: loggedComponents(record.components),
    correlation_candidates: record.candidates.length,
    ...(reformed ? { incident_reformed: true } : {}),
    incident_title: state.title,
  };
  logger.info(fields, reformed ? 'Re-formed incident' : REAL_MESSAGES[record.action]);
}

/** Logs an event the automation leaves out of incidents, with its reason. */
export function logSkipped(logger: Logger, eventId: number, record: CorrelationRecord): void {
  if (currentDecisionScope()?.dryRun === true) {
    logPreview(logger, eventId, record, false);
    return;
  }

  logger.info(
    {
      event_id: eventId,
      correlation_action: 'skipped',
      correlation_reason: record.reason,
      correlation_score: null,
      correlation_components: null,
    },
    REAL_MESSAGES.skipped,
  );
}

import { NotFoundError } from '../app-error.js';
import type { Db } from '../store/database.js';
import type { CorrelationRecord } from './event-input.js';
import type { EventProcessor, StoredOutcome } from './event-processor.js';

export type ProcessAction = 'created' | 'joined' | 'reopened' | 'none';

/** What processing one stored event did (or, in a dry run, would do). */
export interface ProcessEventResult {
  readonly success: true;
  readonly dry_run: boolean;
  readonly event_id: number;
  readonly event_message: string;
  readonly message: string;
  readonly action: ProcessAction;
  readonly incident_id: number | null;
  readonly incident_title: string | null;
  /** Why no incident action was taken, when none was. */
  readonly reason: string | null;
  readonly correlation: CorrelationRecord | null;
}

/** The incident action a decision took; `none` when it only recorded the event. */
export function actionOf(outcome: StoredOutcome): ProcessAction {
  const action = outcome.record?.action;
  return action === 'created' || action === 'joined' || action === 'reopened' ? action : 'none';
}

async function titleOf(tx: Db, id: number | null): Promise<string | null> {
  if (id === null) return null;
  const row = await tx.selectFrom('incidents').select('title').where('id', '=', id).execute();
  return row.length === 0 ? null : String(row[0]!.title);
}

/**
 * Correlates the stored event `eventId` in `tx` and reports what it did; a dry run's report
 * says what it would do (the caller rolls `tx` back).
 */
export async function decideEvent(
  processor: EventProcessor,
  tx: Db,
  eventId: number,
  dryRun: boolean,
): Promise<ProcessEventResult> {
  const outcome = await processor.processStored(tx, eventId);
  if (outcome === null) throw new NotFoundError(`Event ${eventId} not found`);
  const action = actionOf(outcome);
  const incidentId = outcome.incidentId;
  const title = await titleOf(tx, incidentId);
  const processed = dryRun ? 'would be processed' : 'processed';
  const message =
    action === 'none'
      ? `Event ${eventId} ${processed} but no incident action taken: ${outcome.reason}`
      : `Event ${eventId} ${processed} successfully: ${action} incident ${incidentId}`;
  return {
    success: true,
    dry_run: dryRun,
    event_id: eventId,
    event_message: outcome.event.message,
    message,
    action,
    incident_id: incidentId,
    incident_title: title,
    reason: action === 'none' ? outcome.reason : null,
    correlation: outcome.record,
  };
}

import { ValidationError } from '../app-error.js';
import type { Severity } from '../config/settings.js';
import type { AutomationIndexes } from '../incidents/automation-indexes.js';
import type { IncidentRemovalListener } from '../incidents/incident-changes.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import {
  detachEvents,
  eventsOfAutoIncidents,
  groupingOf,
  incidentOrigins,
  oldestFirst,
  removeIncidents,
  type Group,
  type RegroupEvent,
} from '../incidents/regroup.js';
import type { Db } from '../store/database.js';
import { withinDecisionScope } from './decision-scope.js';
import { actionOf } from './event-decision.js';
import type { EventProcessor } from './event-processor.js';
import { listUnprocessed } from './unprocessed-events.js';

/** What a regrouping did (or would do). */
export interface RegroupReport {
  readonly success: true;
  readonly dry_run: boolean;
  readonly message: string;
  readonly time_window_hours: number;
  readonly total_events_reprocessed: number;
  readonly events_successfully_processed: number;
  /** Events whose incident is another one afterwards. */
  readonly events_moved: number;
  readonly incidents_before: number;
  readonly incidents_after: number;
  /** Automatically created incidents left empty, removed. */
  readonly removed_incidents: number[];
  readonly before: Group[];
  readonly after: Group[];
}

/** What a regrouping works with. */
export interface ForceCorrelationDeps {
  readonly processor: EventProcessor;
  readonly indexes: AutomationIndexes;
  readonly incidents: IncidentStore;
  /** Told of the incidents a regrouping removes, before they go (notifications). */
  readonly removals?: IncidentRemovalListener;
}

/** Which events a regrouping takes, and how. */
export interface ForceCorrelationRequest {
  readonly hours: number;
  /** Events created at or after this time (ISO 8601): the last `hours`. */
  readonly since: string;
  /** Only the events of these incidents; null for all automatic ones and unprocessed events. */
  readonly incidentIds: readonly number[] | null;
  readonly minimumSeverity: Severity;
  readonly dryRun: boolean;
}

/** Refuses ids of incidents that do not exist or that a person created. */
export async function checkRegroupable(db: Db, ids: readonly number[]): Promise<void> {
  const origins = await incidentOrigins(db, ids);
  const problems: string[] = [];
  for (const id of ids) {
    const origin = origins.get(id);
    if (origin === undefined) problems.push(`Incident ${id} does not exist.`);
    else if (!origin.autoCreated) {
      problems.push(`Incident ${id} was created by a person; only automatic ones are regrouped.`);
    }
  }
  if (problems.length > 0) throw new ValidationError({ incident_ids: problems });
}

/**
 * Regroups in `tx` (see IncidentAutomation.forceCorrelate): takes the events out of their
 * automatic incidents, re-correlates them oldest first with emptied incidents on offer, and
 * removes the incidents left empty.
 */
export async function forceCorrelation(
  tx: Db,
  deps: ForceCorrelationDeps,
  request: ForceCorrelationRequest,
): Promise<RegroupReport> {
  const { incidents, indexes, processor } = deps;
  const { held, events } = await eventsToRegroup(tx, request);
  const ids = events.map((e) => e.id);
  const before = await groupingOf(tx, ids);
  const newestBefore = await newestIncidentId(tx);

  const emptied = await detachEvents(tx, incidents, indexes.topology, held);
  await indexes.reloadIncidents(tx);
  let decided = 0;
  const scope = { dryRun: request.dryRun, reforming: emptied.ids };
  await withinDecisionScope(scope, () =>
    incidents.withVacancies(emptied, async () => {
      for (const event of events) {
        const outcome = await processor.processStored(tx, event.id, { regroup: true });
        if (outcome !== null && actionOf(outcome) !== 'none') decided += 1;
      }
    }),
  );
  const removed = emptied.leftEmpty();
  await deps.removals?.beforeRemove(tx, removed);
  await removeIncidents(tx, removed);
  await indexes.reloadIncidents(tx);

  const after = (await groupingOf(tx, ids)).map((g) =>
    g.incident_id !== null && g.incident_id > newestBefore ? { ...g, new: true } : g,
  );
  return regroupReport(request, { events: events.length, decided, removed, before, after });
}

/** The events automatic incidents hold in the window, and those to regroup, oldest first. */
async function eventsToRegroup(
  tx: Db,
  request: ForceCorrelationRequest,
): Promise<{ held: RegroupEvent[]; events: RegroupEvent[] }> {
  const { since, incidentIds, minimumSeverity } = request;
  const held = await eventsOfAutoIncidents(tx, since, incidentIds);
  const loose: RegroupEvent[] =
    incidentIds === null
      ? (await listUnprocessed(tx, { since, minimumSeverity })).map((e) => ({
          id: e.id,
          createdAt: e.createdAt,
          incidents: [],
        }))
      : [];
  return { held, events: oldestFirst([...held, ...loose]) };
}

function regroupReport(
  request: ForceCorrelationRequest,
  done: { events: number; decided: number; removed: number[]; before: Group[]; after: Group[] },
): RegroupReport {
  const { before, after } = done;
  const counted = (groups: Group[]) => groups.filter((g) => g.incident_id !== null).length;
  return {
    success: true,
    dry_run: request.dryRun,
    message: request.dryRun
      ? 'Force correlation dry run: nothing was changed'
      : 'Force correlation completed',
    time_window_hours: request.hours,
    total_events_reprocessed: done.events,
    events_successfully_processed: done.decided,
    events_moved: movedEvents(before, after),
    incidents_before: counted(before),
    incidents_after: counted(after),
    removed_incidents: done.removed.sort((a, b) => a - b),
    before,
    after,
  };
}

async function newestIncidentId(tx: Db): Promise<number> {
  const row = await tx
    .selectFrom('incidents')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id == null ? 0 : Number(row.id);
}

/** Events whose incident differs between two groupings. */
function movedEvents(before: readonly Group[], after: readonly Group[]): number {
  const where = (groups: readonly Group[]) => {
    const map = new Map<number, number | null>();
    for (const g of groups) for (const id of g.event_ids) map.set(id, g.incident_id);
    return map;
  };
  const was = where(before);
  let moved = 0;
  for (const [id, incident] of where(after)) if (was.get(id) !== incident) moved += 1;
  return moved;
}

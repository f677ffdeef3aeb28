import type { Clock } from '../clock.js';
import type { IngestSettings } from '../config/settings.js';
import type { EventInput, EventOutcome } from '../events/event-input.js';
import type { EventPipeline } from '../events/event-pipeline.js';
import { findAlertBySourceName, type StoredAlert } from '../events/alert-lookup.js';
import { openIncidentsOf } from '../events/event-rows.js';
import type { AutomationIndexes } from '../incidents/automation-indexes.js';
import { acknowledgeIncidents } from '../incidents/incident-acknowledge.js';
import type { IngestContext } from './alert-format.js';

export interface AlertIntakeDeps {
  readonly pipeline: EventPipeline;
  readonly indexes: AutomationIndexes;
  readonly clock: Clock;
  readonly settings: IngestSettings;
}

/** What an acknowledgement found and did. */
export interface AcknowledgeOutcome {
  /** The acknowledged alert's event; null when no such alert is stored. */
  readonly eventId: number | null;
  /** Open incidents holding the event, after the acknowledgement. */
  readonly incidentIds: readonly number[];
  /** Those moved from new to investigating. */
  readonly moved: readonly number[];
}

/**
 * Where received alerts go: every one through the event pipeline, and follow-ups about a stored
 * alert (look-ups, acknowledgements) as decisions of the same pipeline, in order with them.
 */
export class AlertIntake implements IngestContext {
  readonly clock: Clock;
  readonly settings: IngestSettings;

  constructor(private readonly deps: AlertIntakeDeps) {
    this.clock = deps.clock;
    this.settings = deps.settings;
  }

  record(input: EventInput): Promise<EventOutcome> {
    return this.deps.pipeline.record({ input });
  }

  /** The stored alert `dedupId` of `source`, after every alert received before this call. */
  find(source: string, dedupId: string): Promise<StoredAlert | null> {
    return this.deps.pipeline.run((tx) => findAlertBySourceName(tx, source, dedupId));
  }

  /** Moves the open incidents holding the alert from new to investigating. */
  acknowledge(source: string, dedupId: string, actor: string): Promise<AcknowledgeOutcome> {
    return this.deps.pipeline.run(async (tx) => {
      const alert = await findAlertBySourceName(tx, source, dedupId);
      if (alert === null) return { eventId: null, incidentIds: [], moved: [] };
      const incidentIds = await openIncidentsOf(tx, alert.id);
      const moved = await acknowledgeIncidents(tx, this.deps.indexes, {
        incidentIds,
        eventId: alert.id,
        actor,
        now: this.clock.now().toISOString(),
      });
      return { eventId: alert.id, incidentIds, moved };
    });
  }
}

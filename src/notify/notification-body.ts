import type { NotificationAction } from '../config/settings.js';
import type { IncidentSnapshot, NamedService } from '../incidents/incident-snapshot.js';
import type { RadiusNotice } from '../incidents/incident-radius.js';
import type { BlastRadiusSummary } from '../topology/blast-radius.js';

/** What every receiver gets: the action and the incident as the change left it. */
export interface NotificationBody {
  readonly action: NotificationAction;
  /** When the change was made. */
  readonly occurred_at: string;
  readonly incident: {
    readonly id: number;
    readonly url: string;
    readonly title: string;
    readonly description: string;
    readonly status: string;
    readonly severity: string;
    readonly created_at: string;
    readonly updated_at: string;
    readonly detected_at: string | null;
    readonly resolved_at: string | null;
    readonly last_event_at: string | null;
    readonly commander: string;
    readonly reporter: string;
    readonly auto_created: boolean;
    readonly merged_into: number | null;
  };
  /** The probable root causes, as `GET incidents/{id}/blast-radius/` names them. */
  readonly root_cause_services: readonly NamedService[];
  /** The runners-up of the ranking: where to look one level up, not failures. */
  readonly root_cause_candidates: readonly NamedService[];
  readonly affected_services: readonly NamedService[];
  readonly blast_radius: BlastRadiusSummary;
  readonly event_count: number;
  /** Only for an incident a regrouping removed: its events went to other incidents. */
  readonly removed?: true;
}

export interface BodyContext {
  readonly occurredAt: string;
  /** BASE_URL, or the server's own address without it. */
  readonly baseUrl: string;
  /** The blast radius as the endpoint computes it, with the health the transaction sees. */
  readonly radius: RadiusNotice;
  readonly removed?: boolean;
}

/** The link to an incident in the API. */
export function incidentUrl(baseUrl: string, id: number): string {
  return `${baseUrl}/api/plugins/business-application/incidents/${id}/`;
}

/** The body of a notification about `incident`. */
export function notificationBody(
  action: NotificationAction,
  incident: IncidentSnapshot,
  context: BodyContext,
): NotificationBody {
  return {
    action,
    occurred_at: context.occurredAt,
    incident: {
      id: incident.id,
      url: incidentUrl(context.baseUrl, incident.id),
      title: incident.title,
      description: incident.description,
      status: incident.status,
      severity: incident.severity,
      created_at: incident.createdAt,
      updated_at: incident.updatedAt,
      detected_at: incident.detectedAt,
      resolved_at: incident.resolvedAt,
      last_event_at: incident.lastEventAt,
      commander: incident.commander,
      reporter: incident.reporter,
      auto_created: incident.autoCreated,
      merged_into: incident.mergedInto,
    },
    root_cause_services: context.radius.rootCauses,
    root_cause_candidates: context.radius.candidates,
    affected_services: incident.affected,
    blast_radius: context.radius.summary,
    event_count: incident.eventCount,
    ...(context.removed === true ? { removed: true as const } : {}),
  };
}

import type { NotificationAction, Severity } from '../../config/settings.js';
import type { NotificationBody } from '../notification-body.js';

/** Events API v2 actions. */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** Faultline severity → PagerDuty severity. */
export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** PagerDuty's limit on a summary. */
const SUMMARY_LENGTH = 1024;

/** The dedup key of an incident: every event about it lands on one PagerDuty incident. */
export const dedupKey = (incidentId: number) => `faultline-incident-${incidentId}`;

/**
 * What PagerDuty hears of a notification: opened and reopened incidents trigger, resolved ones
 * (monitoring, resolved, closed) resolve, and an update in which a person took the incident on
 * acknowledges. Other updates are not sent: PagerDuty would not change its incident for them.
 */
export function pagerDutyAction(
  action: NotificationAction,
  acknowledged: boolean,
): PagerDutyAction | null {
  if (action === 'created' || action === 'reopened') return 'trigger';
  if (action === 'resolved') return 'resolve';
  return acknowledged ? 'acknowledge' : null;
}

/** The Events API v2 body for `action`, without the routing key (added when it is sent). */
export function pagerDutyEvent(
  action: PagerDutyAction,
  body: NotificationBody,
): Record<string, unknown> {
  const { incident } = body;
  const base = { event_action: action, dedup_key: dedupKey(incident.id) };
  if (action !== 'trigger') return base;

  const root = body.root_cause_services[0]?.name ?? body.affected_services[0]?.name;
  return {
    ...base,
    payload: {
      summary: `#${incident.id} ${incident.title}`.slice(0, SUMMARY_LENGTH),
      source: root ?? 'faultline',
      severity: PAGERDUTY_SEVERITY[incident.severity as Severity] ?? 'error',
      timestamp: incident.detected_at ?? incident.created_at,
      ...(root === undefined ? {} : { component: root }),
      class: 'incident',
      custom_details: {
        incident_id: incident.id,
        status: incident.status,
        severity: incident.severity,
        root_cause_services: body.root_cause_services.map((s) => s.name),
        affected_services: body.affected_services.map((s) => s.name),
        business_applications: body.blast_radius.business_applications,
        event_count: body.event_count,
      },
    },
    client: 'Faultline',
    client_url: incident.url,
    links: [{ href: incident.url, text: `#${incident.id}` }],
  };
}

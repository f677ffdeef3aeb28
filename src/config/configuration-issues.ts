import type { AutomationSettings } from './settings.js';

/**
 * What is wrong with settings that each parsed well but do not work together; the status
 * endpoint and the health check report these, and `configuration_valid` is false while any is.
 */
export function configurationIssues(settings: AutomationSettings): string[] {
  const issues: string[] = [];
  const noChannel =
    settings.notificationWebhooks.length === 0 && settings.pagerdutyRoutingKey === null;
  if (settings.notificationsEnabled && noChannel) {
    issues.push(
      'BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED is true but ' +
        'BUSINESS_APP_NOTIFICATION_WEBHOOKS is empty and BUSINESS_APP_PAGERDUTY_ROUTING_KEY ' +
        'is unset: only services and business applications with their own PagerDuty ' +
        'routing key are notified',
    );
  }
  return issues;
}

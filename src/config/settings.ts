/** Event criticality and incident severity share one ordered scale. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a notification says happened to an incident; a webhook may ask for some only. */
export const NOTIFICATION_ACTIONS = ['created', 'updated', 'resolved', 'reopened'] as const;
export type NotificationAction = (typeof NOTIFICATION_ACTIONS)[number];

/** A PagerDuty Events API v2 routing (integration) key. */
export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{8,64}$/;

/** PagerDuty's public Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** One receiver of incident notifications. */
export interface WebhookTarget {
  readonly url: string;
  readonly secret: string | null;
  /** Incident actions this receiver wants; empty means all of them. */
  readonly events: readonly NotificationAction[];
}

/** Which correlation rule decides: Faultline's, or the plugin's as its guide describes it. */
export const CORRELATION_MODES = ['faultline', 'plugin'] as const;
export type CorrelationMode = (typeof CORRELATION_MODES)[number];

/** The incident automation settings, named as in the plugin's deployment guide. */
export interface AutomationSettings {
  readonly enabled: boolean;
  readonly autoResolve: boolean;
  readonly correlationWindowMinutes: number;
  readonly maxDependencyDepth: number;
  readonly correlationThreshold: number;
  readonly notificationsEnabled: boolean;
  readonly notificationWebhooks: readonly WebhookTarget[];
  /** Default PagerDuty routing key; null leaves PagerDuty to services that carry their own. */
  readonly pagerdutyRoutingKey: string | null;
  /** Where PagerDuty events are sent (Events API v2). */
  readonly pagerdutyEventsUrl: string;
  readonly requireMinimumSeverity: Severity;
  readonly correlationMode: CorrelationMode;
}

/** The alert sources, by the path they are received at (`alerts/<source>/`). */
export const ALERT_SOURCES = [
  'generic',
  'capacitor',
  'signalfx',
  'email',
  'alertmanager',
  'pagerduty',
] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** What an alert's name refers to, in the words of the alert payloads. */
export const ALERT_TARGET_KINDS = ['device', 'vm', 'cluster', 'service'] as const;
export type AlertTargetKind = (typeof ALERT_TARGET_KINDS)[number];

/** An Alertmanager label that can name an alert's target, and what it names. */
export interface TargetLabel {
  readonly label: string;
  readonly kind: AlertTargetKind;
}

/** How alerts are received: signatures, rate limit, label order. */
export interface IngestSettings {
  /** Shared secret per source; a source listed here only takes signed requests. */
  readonly webhookSecrets: Readonly<Partial<Record<AlertSource, string>>>;
  /** Sustained requests per minute and token on the alert endpoints; null = no limit. */
  readonly rateLimitPerMinute: number | null;
  /** Requests a token may make at once before the per-minute rate applies. */
  readonly rateLimitBurst: number;
  /** Alertmanager labels tried in order to find an alert's target. */
  readonly alertmanagerTargetLabels: readonly TargetLabel[];
}

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** The one validated, frozen settings object handed to every component. */
export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  readonly logFile: string | null;
  /**
   * Absolute base for links in API output and notifications; null = taken from the request
   * (the server's own address for notifications: ownBaseUrl).
   */
  readonly baseUrl: string | null;
  readonly automation: AutomationSettings;
  readonly ingest: IngestSettings;
}

/**
 * The absolute base of links made outside a request (notifications): BASE_URL, else the
 * server's own address, `http://HOST:PORT`.
 */
export function ownBaseUrl(settings: Pick<Settings, 'baseUrl' | 'host' | 'port'>): string {
  if (settings.baseUrl !== null) return settings.baseUrl;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return `http://${host}:${settings.port}`;
}

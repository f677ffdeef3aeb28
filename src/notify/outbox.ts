import type { Clock } from '../clock.js';
import type { AutomationSettings, NotificationAction, WebhookTarget } from '../config/settings.js';
import {
  incidentChangesSince,
  markIncidentChanges,
  type IncidentChangeMark,
  type IncidentRemovalListener,
} from '../incidents/incident-changes.js';
import { radiusNotice, type RadiusNotice, type RadiusView } from '../incidents/incident-radius.js';
import { readIncidentSnapshots, type IncidentSnapshot } from '../incidents/incident-snapshot.js';
import { durableWrite, LOCK_KEYS, type Database, type Db } from '../store/database.js';
import { inheritedRoutingKey } from '../topology/routing-keys.js';
import type { ServiceHealth } from '../topology/service-health.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import type { DeliveryStore, NewDelivery } from './delivery-store.js';
import { noticeOf } from './incident-actions.js';
import { notificationBody, type NotificationBody } from './notification-body.js';
import { pagerDutyAction, pagerDutyEvent } from './pagerduty/pagerduty-event.js';
import { webhookEntries } from './webhook/webhook-entries.js';

/**
 * The topology and service health as a transaction that changes incidents sees them, for the
 * blast radius and the routing keys (CurrentIndexes in src/incidents/current-indexes.ts).
 */
export interface TransactionViews {
  topologyIn(tx: Db): Promise<TopologyIndex>;
  healthIn(tx: Db, topology: TopologyIndex): Promise<ServiceHealth>;
}

export interface NotificationOutboxOptions {
  readonly settings: AutomationSettings;
  /** BASE_URL or the server's own address, for the incident links in the bodies. */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly store: DeliveryStore;
  /** Read lazily: the automation that provides them is built after the outbox. */
  readonly views: () => TransactionViews;
}

/** One notification to plan deliveries for. */
interface Notice {
  readonly action: NotificationAction;
  readonly incident: IncidentSnapshot;
  readonly acknowledged: boolean;
  readonly removed: boolean;
}

/**
 * Writes the notification outbox in the transactions that change incidents. It watches the
 * database: a write transaction holding the incidents lock (every incident change takes it)
 * notes where the incident records stood at its start, and before it commits turns what
 * changed since into deliveries, with bodies built from the incidents as the transaction left
 * them. Webhooks are written while BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED is on; PagerDuty
 * events whenever a routing key applies (the default one, or one on a service or application).
 */
export class NotificationOutbox implements IncidentRemovalListener {
  private readonly removals = new WeakMap<Db, IncidentSnapshot[]>();
  private listener: (() => void) | null = null;

  constructor(private readonly options: NotificationOutboxOptions) {}

  /** The webhooks that receive notifications: none while notifications are switched off. */
  private get webhooks(): readonly WebhookTarget[] {
    const { settings } = this.options;
    return settings.notificationsEnabled ? settings.notificationWebhooks : [];
  }

  /** Calls `listener` after each transaction that queued deliveries has committed. */
  onQueued(listener: () => void): void {
    this.listener = listener;
  }

  /** The database with the outbox written in its incident-changing transactions. */
  watch(database: Database): Database {
    const commit: Database['commit'] = async (work, locks = []) => {
      if (!locks.includes(LOCK_KEYS.incidents)) return database.commit(work, locks);
      let queued = 0;
      const result = await database.commit(async (tx) => {
        const mark = await markIncidentChanges(tx);
        const done = await work(tx);
        queued = await this.record(tx, mark);
        return done;
      }, locks);
      // Sent once durable: a receiver never hears of a change a crash could take back.
      if (queued > 0)
        result.durable.then(
          () => this.listener?.(),
          () => undefined,
        );
      return result;
    };
    return { ...database, write: durableWrite(commit), commit };
  }

  /** A regrouping removes these incidents: receivers hear they are over (`removed`). */
  async beforeRemove(tx: Db, incidentIds: readonly number[]): Promise<void> {
    if (incidentIds.length === 0) return;
    const snapshots = await readIncidentSnapshots(tx, incidentIds);
    const removed = this.removals.get(tx) ?? [];
    for (const snapshot of snapshots.values()) removed.push({ ...snapshot, status: 'closed' });
    this.removals.set(tx, removed);
  }

  /** Writes the deliveries for what changed since `mark`; returns how many. */
  private async record(tx: Db, mark: IncidentChangeMark): Promise<number> {
    // Whether anyone listens is cheaper to learn than what changed: asked first.
    const topology = await this.options.views().topologyIn(tx);
    if (!(await this.anyReceiver(tx, topology))) return 0;
    const changes = await incidentChangesSince(tx, mark);
    const removed = this.removals.get(tx) ?? [];
    if (changes.length === 0 && removed.length === 0) return 0;

    const snapshots = await readIncidentSnapshots(
      tx,
      changes.map((c) => c.incidentId),
    );
    const notices: Notice[] = [];
    for (const change of changes) {
      const incident = snapshots.get(change.incidentId);
      if (incident === undefined) continue;
      const { actions, acknowledged } = noticeOf(change, incident.status);
      for (const action of actions)
        notices.push({ action, incident, acknowledged, removed: false });
    }
    for (const incident of removed) {
      notices.push({ action: 'resolved', incident, acknowledged: false, removed: true });
    }
    if (notices.length === 0) return 0;

    const view = { topology, health: await this.options.views().healthIn(tx, topology) };
    const now = this.options.clock.now().toISOString();
    const deliveries: NewDelivery[] = [];
    for (const notice of notices) deliveries.push(...(await this.plan(tx, notice, view, now)));
    await this.options.store.insert(tx, deliveries, now);
    return deliveries.length;
  }

  /**
   * Whether anyone may hear of a change: a webhook, a routing key (the default one, one in the
   * topology), or an incident's PagerDuty delivery made while a key was set (it is resolved
   * with that key). Without any, an incident change costs the outbox nothing more.
   */
  private async anyReceiver(tx: Db, topology: TopologyIndex): Promise<boolean> {
    const { settings, store } = this.options;
    if (this.webhooks.length > 0 || settings.pagerdutyRoutingKey !== null) return true;
    return topology.routingKeyHolders > 0 || (await store.anyPagerDuty(tx));
  }

  /** The deliveries of one notification: each webhook that wants it, and PagerDuty. */
  private async plan(
    tx: Db,
    notice: Notice,
    view: RadiusView,
    now: string,
  ): Promise<NewDelivery[]> {
    const radius = radiusNotice(view, notice.incident);
    const body = notificationBody(notice.action, notice.incident, {
      occurredAt: now,
      baseUrl: this.options.baseUrl,
      radius,
      removed: notice.removed,
    });
    const payload = JSON.stringify(body);
    const incidentId = notice.incident.id;
    const deliveries: NewDelivery[] = webhookEntries(this.webhooks)
      .filter(({ hook }) => hook.events.length === 0 || hook.events.includes(notice.action))
      .map(({ hook, entry }) => ({
        channel: 'webhook',
        target: hook.url,
        entry,
        routingKey: null,
        action: notice.action,
        incidentId,
        payload,
      }));
    const pagerDuty = await this.pagerDuty(tx, notice, body, view.topology, radius);
    return pagerDuty === null ? deliveries : [...deliveries, pagerDuty];
  }

  /** The PagerDuty delivery of a notification, when it is one PagerDuty hears and has a key. */
  private async pagerDuty(
    tx: Db,
    notice: Notice,
    body: NotificationBody,
    topology: TopologyIndex,
    radius: RadiusNotice,
  ): Promise<NewDelivery | null> {
    const action = pagerDutyAction(notice.action, notice.acknowledged);
    if (action === null) return null;
    const { incident } = notice;
    const services = [...radius.rootCauses, ...incident.affected].map((s) => s.id);
    const routingKey =
      (await this.options.store.lastRoutingKey(tx, incident.id)) ??
      (await inheritedRoutingKey(tx, topology, services)) ??
      this.options.settings.pagerdutyRoutingKey;
    if (routingKey === null) return null;
    return {
      channel: 'pagerduty',
      target: this.options.settings.pagerdutyEventsUrl,
      entry: 0,
      routingKey,
      action,
      incidentId: incident.id,
      payload: JSON.stringify(pagerDutyEvent(action, body)),
    };
  }
}

import type { Clock } from '../clock.js';
import type { AutomationSettings, NotificationAction } from '../config/settings.js';
import {
  incidentChangesSince,
  markIncidentChanges,
  type IncidentChangeMark,
  type IncidentRemovalListener,
} from '../incidents/incident-changes.js';
import { readIncidentSnapshots, type IncidentSnapshot } from '../incidents/incident-snapshot.js';
import { LOCK_KEYS, type Database, type Db } from '../store/database.js';
import { inheritedRoutingKey } from '../topology/routing-keys.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import type { BlastRadiusSummarizer } from './blast-summary.js';
import type { CurrentTopology } from './current-topology.js';
import type { DeliveryStore, NewDelivery } from './delivery-store.js';
import { noticeOf } from './incident-actions.js';
import { notificationBody, type NotificationBody } from './notification-body.js';
import { pagerDutyAction, pagerDutyEvent } from './pagerduty/pagerduty-event.js';

export interface NotificationOutboxOptions {
  readonly settings: AutomationSettings;
  /** BASE_URL, for the incident links in the bodies. */
  readonly baseUrl: string | null;
  readonly clock: Clock;
  readonly store: DeliveryStore;
  readonly topology: CurrentTopology;
  readonly blastRadius: BlastRadiusSummarizer;
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
 * them. Notifications are switched off: the database is left as it is.
 */
export class NotificationOutbox implements IncidentRemovalListener {
  private readonly removals = new WeakMap<Db, IncidentSnapshot[]>();
  private listener: (() => void) | null = null;

  constructor(private readonly options: NotificationOutboxOptions) {}

  get active(): boolean {
    return this.options.settings.notificationsEnabled;
  }

  /** Calls `listener` after each transaction that queued deliveries has committed. */
  onQueued(listener: () => void): void {
    this.listener = listener;
  }

  /** The database with the outbox written in its incident-changing transactions. */
  watch(database: Database): Database {
    if (!this.active) return database;
    const write: Database['write'] = async (work, locks = []) => {
      if (!locks.includes(LOCK_KEYS.incidents)) return database.write(work, locks);
      let queued = 0;
      const result = await database.write(async (tx) => {
        const mark = await markIncidentChanges(tx);
        const done = await work(tx);
        queued = await this.record(tx, mark);
        return done;
      }, locks);
      if (queued > 0) this.listener?.();
      return result;
    };
    return { ...database, write };
  }

  /** A regrouping removes these incidents: receivers hear they are over (`removed`). */
  async beforeRemove(tx: Db, incidentIds: readonly number[]): Promise<void> {
    if (!this.active || incidentIds.length === 0) return;
    const snapshots = await readIncidentSnapshots(tx, incidentIds);
    const removed = this.removals.get(tx) ?? [];
    for (const snapshot of snapshots.values()) removed.push({ ...snapshot, status: 'closed' });
    this.removals.set(tx, removed);
  }

  /** Writes the deliveries for what changed since `mark`; returns how many. */
  private async record(tx: Db, mark: IncidentChangeMark): Promise<number> {
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

    const topology = await this.options.topology.read(tx);
    const now = this.options.clock.now().toISOString();
    const deliveries: NewDelivery[] = [];
    for (const notice of notices) deliveries.push(...(await this.plan(tx, notice, topology, now)));
    await this.options.store.insert(tx, deliveries, now);
    return deliveries.length;
  }

  /** The deliveries of one notification: each webhook that wants it, and PagerDuty. */
  private async plan(
    tx: Db,
    notice: Notice,
    topology: TopologyIndex,
    now: string,
  ): Promise<NewDelivery[]> {
    const { settings, baseUrl } = this.options;
    const body = notificationBody(notice.action, notice.incident, {
      occurredAt: now,
      baseUrl,
      blastRadius: this.options.blastRadius(notice.incident, topology),
      removed: notice.removed,
    });
    const payload = JSON.stringify(body);
    const incidentId = notice.incident.id;
    const deliveries: NewDelivery[] = settings.notificationWebhooks
      .filter((hook) => hook.events.length === 0 || hook.events.includes(notice.action))
      .map((hook) => ({
        channel: 'webhook',
        target: hook.url,
        routingKey: null,
        action: notice.action,
        incidentId,
        payload,
      }));
    const pagerDuty = await this.pagerDuty(tx, notice, body, topology);
    return pagerDuty === null ? deliveries : [...deliveries, pagerDuty];
  }

  /** The PagerDuty delivery of a notification, when it is one PagerDuty hears and has a key. */
  private async pagerDuty(
    tx: Db,
    notice: Notice,
    body: NotificationBody,
    topology: TopologyIndex,
  ): Promise<NewDelivery | null> {
    const action = pagerDutyAction(notice.action, notice.acknowledged);
    if (action === null) return null;
    const { incident } = notice;
    const services = [...incident.rootCauses, ...incident.affected].map((s) => s.id);
    const routingKey =
      (await this.options.store.lastRoutingKey(tx, incident.id)) ??
      (await inheritedRoutingKey(tx, topology, services)) ??
      this.options.settings.pagerdutyRoutingKey;
    if (routingKey === null) return null;
    return {
      channel: 'pagerduty',
      target: this.options.settings.pagerdutyEventsUrl,
      routingKey,
      action,
      incidentId: incident.id,
      payload: JSON.stringify(pagerDutyEvent(action, body)),
    };
  }
}

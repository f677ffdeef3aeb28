import type { Clock } from '../clock.js';
import { ownBaseUrl, type Settings } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { Database } from '../store/database.js';
import { DeliveryLoop } from './delivery-loop.js';
import { DeliveryStore } from './delivery-store.js';
import type { HttpPost } from './http-post.js';
import { NotificationOutbox, type TransactionViews } from './outbox.js';

export interface NotificationsOptions {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The database as opened; the outbox watches its incident-changing transactions. */
  readonly database: Database;
  /** The automation's topology and service health (read lazily: they are built after this). */
  readonly views: () => TransactionViews;
  readonly post?: HttpPost;
  /** How long a receiver gets to answer (default 10 s). */
  readonly timeoutMs?: number;
}

/** The notification half of Faultline: the outbox in the transactions, the loop that sends. */
export interface Notifications {
  /** The database to hand to everything else: its incident changes write the outbox. */
  readonly database: Database;
  readonly outbox: NotificationOutbox;
  readonly deliveries: DeliveryLoop;
}

export function createNotifications(options: NotificationsOptions): Notifications {
  const { settings, clock, logger } = options;
  const store = new DeliveryStore();
  const outbox = new NotificationOutbox({
    settings: settings.automation,
    baseUrl: ownBaseUrl(settings),
    clock,
    store,
    views: options.views,
  });
  const deliveries = new DeliveryLoop({
    db: options.database.db,
    store,
    webhooks: settings.automation.notificationWebhooks,
    clock,
    logger,
    ...(options.post === undefined ? {} : { post: options.post }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  outbox.onQueued(() => deliveries.wake());
  return { database: outbox.watch(options.database), outbox, deliveries };
}

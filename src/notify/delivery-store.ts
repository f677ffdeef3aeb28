import { randomUUID } from 'node:crypto';

import type { ExpressionBuilder } from 'kysely';

import type { AnySchema, Db } from '../store/database.js';
import { newObjectColumns } from '../store/new-object.js';
import { PreparedQuery } from '../store/prepared-query.js';
import { maskSecret, maskUrl } from '../store/secret-mask.js';

export const DELIVERY_CHANNELS = ['webhook', 'pagerduty'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const TABLE = 'notification_deliveries';

/** Asked by every transaction that changes incidents: built and compiled once. */
const ANY_PAGERDUTY = new PreparedQuery<[]>(0, (db) =>
  db.selectFrom(TABLE).select('id').where('channel', '=', 'pagerduty').limit(1),
);

/** A message to one receiver, as the outbox writes it. */
export interface NewDelivery {
  readonly channel: DeliveryChannel;
  /** The URL it is posted to. */
  readonly target: string;
  /**
   * Webhooks: which entry of BUSINESS_APP_NOTIFICATION_WEBHOOKS with this URL it is for (0 for
   * the first), so that it is signed with that entry's secret. PagerDuty: 0.
   */
  readonly entry: number;
  /** PagerDuty only: added to the body when it is sent. */
  readonly routingKey: string | null;
  /** What the receiver is told: the incident action, or PagerDuty's event action. */
  readonly action: string;
  readonly incidentId: number;
  /** The body as sent (PagerDuty: without the routing key). */
  readonly payload: string;
}

/** A delivery claimed for an attempt. */
export interface ClaimedDelivery extends NewDelivery {
  readonly id: number;
  /** The receiver's idempotency key: the same on every attempt. */
  readonly deliveryId: string;
  /** Attempts so far, this one included. */
  readonly attempts: number;
  readonly claimToken: string;
}

/** How an attempt ended, for the row. */
export type AttemptResult =
  | { readonly status: 'delivered' }
  | { readonly status: 'pending'; readonly error: string; readonly nextAttemptAt: string }
  | { readonly status: 'failed'; readonly error: string };

/** The outbox table: rows written with incident changes, claimed and settled by the loop. */
export class DeliveryStore {
  async insert(tx: Db, deliveries: readonly NewDelivery[], now: string): Promise<void> {
    if (deliveries.length === 0) return;
    await tx
      .insertInto(TABLE)
      .values(
        deliveries.map((d) => ({
          delivery_id: randomUUID(),
          channel: d.channel,
          target: d.target,
          webhook_entry: d.entry,
          routing_key: d.routingKey,
          action: d.action,
          incident_id: d.incidentId,
          payload: d.payload,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          ...newObjectColumns(now),
        })),
      )
      .execute();
  }

  /** The routing key of the incident's latest PagerDuty delivery: it stays where it began. */
  async lastRoutingKey(ex: Db, incidentId: number): Promise<string | null> {
    const row = await ex
      .selectFrom(TABLE)
      .select('routing_key')
      .where('incident_id', '=', incidentId)
      .where('channel', '=', 'pagerduty')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.routing_key == null ? null : String(row.routing_key);
  }

  /** Whether any PagerDuty delivery was ever written (so some incident may still be resolved). */
  async anyPagerDuty(ex: Db): Promise<boolean> {
    return (await ANY_PAGERDUTY.rows(ex, [])).length > 0;
  }

  /**
   * Claims up to `limit` due deliveries until `until`, in one conditional UPDATE: a row is
   * taken only while pending, due and not claimed by anyone whose lease still runs, so two
   * processes never hold the same row. Only the oldest pending delivery of an incident to a
   * receiver is due: messages about one incident arrive in order.
   */
  async claimDue(db: Db, now: string, until: string, limit: number): Promise<ClaimedDelivery[]> {
    const token = randomUUID();
    const free = (eb: ExpressionBuilder<AnySchema, string>) =>
      eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]);
    const due = db
      .selectFrom(`${TABLE} as d`)
      .select('d.id')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where(free)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom(`${TABLE} as earlier`)
              .select('earlier.id')
              .whereRef('earlier.incident_id', '=', 'd.incident_id')
              .whereRef('earlier.channel', '=', 'd.channel')
              .whereRef('earlier.target', '=', 'd.target')
              .whereRef('earlier.webhook_entry', '=', 'd.webhook_entry')
              .whereRef('earlier.id', '<', 'd.id')
              .where('earlier.status', '=', 'pending'),
          ),
        ),
      )
      .orderBy('d.next_attempt_at')
      .orderBy('d.id')
      .limit(limit);
    const rows = await db
      .updateTable(TABLE)
      .set((eb) => ({
        claimed_until: until,
        claim_token: token,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', due)
      .where('status', '=', 'pending')
      .where(free)
      .returningAll()
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      deliveryId: String(r.delivery_id),
      channel: r.channel as DeliveryChannel,
      target: String(r.target),
      entry: Number(r.webhook_entry),
      routingKey: r.routing_key == null ? null : String(r.routing_key),
      action: String(r.action),
      incidentId: Number(r.incident_id),
      payload: String(r.payload),
      attempts: Number(r.attempts),
      claimToken: token,
    }));
  }

  /** Records how an attempt ended; false when the claim was lost meanwhile (lease ran out). */
  async settle(
    db: Db,
    delivery: ClaimedDelivery,
    result: AttemptResult,
    now: string,
  ): Promise<boolean> {
    const values =
      result.status === 'delivered'
        ? { status: 'delivered', delivered_at: now, last_error: null, next_attempt_at: null }
        : result.status === 'pending'
          ? { status: 'pending', last_error: result.error, next_attempt_at: result.nextAttemptAt }
          : { status: 'failed', last_error: result.error, next_attempt_at: null };
    const updated = await db
      .updateTable(TABLE)
      .set({ ...values, claimed_until: null, claim_token: null, last_updated: now })
      .where('id', '=', delivery.id)
      .where('claim_token', '=', delivery.claimToken)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }
}

/** The receiver as the API and the logs show it: a masked URL, or a masked routing key. */
export function maskedTarget(delivery: {
  readonly channel: string;
  readonly target: string;
  readonly routingKey: string | null;
}): string {
  return delivery.channel === 'pagerduty'
    ? (maskSecret(delivery.routingKey) ?? '')
    : maskUrl(delivery.target);
}

import type { Clock } from '../clock.js';
import type { WebhookTarget } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/database.js';
import { maskUrl, redact } from '../store/secret-mask.js';
import {
  maskedTarget,
  type AttemptResult,
  type ClaimedDelivery,
  type DeliveryStore,
} from './delivery-store.js';
import { fetchPost, type HttpPost, type OutgoingRequest, type PostOutcome } from './http-post.js';
import { pagerDutyRequest } from './pagerduty/pagerduty-request.js';
import { retryDelay } from './retry-policy.js';
import { webhookEntries } from './webhook/webhook-entries.js';
import { webhookRequest } from './webhook/webhook-request.js';

/** A receiver gets this long to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How often the loop looks for due deliveries besides being woken (retries, other processes). */
const POLL_MS = 1000;
/** Deliveries sent at once. */
const BATCH_SIZE = 16;
/** Claim rounds of one run: a run ends even if deliveries keep falling due. */
const MAX_ROUNDS = 50;
/** A claim outlives the timeout by this much, so a slow attempt keeps its claim. */
const LEASE_MARGIN_MS = 30_000;

export interface DeliveryLoopOptions {
  /** The database the outbox lives in (outside any transaction). */
  readonly db: Db;
  readonly store: DeliveryStore;
  /** The configured webhooks: each entry's secret signs its deliveries. */
  readonly webhooks: readonly WebhookTarget[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly post?: HttpPost;
  readonly timeoutMs?: number;
}

/** What one run did. */
export interface DeliveryRun {
  delivered: number;
  retrying: number;
  failed: number;
}

const COUNTED = { delivered: 'delivered', pending: 'retrying', failed: 'failed' } as const;

/**
 * Sends the outbox: claims due deliveries, posts them, and records each outcome. 2xx is
 * delivered; 429, 5xx, timeouts and connection errors are retried with exponential backoff on
 * the injected clock; other answers fail at once. `runDue` runs once (tests drive it);
 * `start` runs it in the background until `stop`.
 */
export class DeliveryLoop {
  private readonly post: HttpPost;
  private readonly timeoutMs: number;
  private background: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(private readonly options: DeliveryLoopOptions) {
    this.post = options.post ?? fetchPost;
    this.timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  /** Sends every delivery due now, the ones that fall due meanwhile included. */
  async runDue(): Promise<DeliveryRun> {
    const run: DeliveryRun = { delivered: 0, retrying: 0, failed: 0 };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.options.clock.now();
      const until = new Date(now.getTime() + this.timeoutMs + LEASE_MARGIN_MS).toISOString();
      const claimed = await this.options.store.claimDue(
        this.options.db,
        now.toISOString(),
        until,
        BATCH_SIZE,
      );
      if (claimed.length === 0) break;
      const results = await Promise.all(claimed.map((d) => this.attempt(d)));
      for (const result of results) run[COUNTED[result.status]] += 1;
    }
    return run;
  }

  /** Runs in the background: at once, when woken, and every second. */
  start(): void {
    if (this.background !== null) return;
    this.stopping = false;
    this.background = this.loop();
  }

  /** Stops the background loop after the attempts under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.background;
    this.background = null;
  }

  /** New deliveries were committed: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      try {
        await this.runDue();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'notification delivery run failed');
      }
      if (!this.stopping && !this.woken) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, POLL_MS);
      timer.unref();
      this.wakeUp = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private requestFor(delivery: ClaimedDelivery): OutgoingRequest | string {
    if (delivery.channel === 'pagerduty') return pagerDutyRequest(delivery);
    const hook = webhookEntries(this.options.webhooks).find(
      (w) => w.hook.url === delivery.target && w.entry === delivery.entry,
    )?.hook;
    if (hook === undefined) return 'the entry is no longer in BUSINESS_APP_NOTIFICATION_WEBHOOKS';
    return webhookRequest(delivery, hook.secret);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const request = this.requestFor(delivery);
    const outcome: PostOutcome =
      typeof request === 'string'
        ? { ok: false, retry: false, error: request }
        : await this.post(request, this.timeoutMs);
    const now = this.options.clock.now();
    const result = this.resultOf(delivery, outcome, now);
    const kept = await this.options.store.settle(
      this.options.db,
      delivery,
      result,
      now.toISOString(),
    );
    this.report(delivery, result, kept);
    return result;
  }

  private resultOf(delivery: ClaimedDelivery, outcome: PostOutcome, now: Date): AttemptResult {
    if (outcome.ok) return { status: 'delivered' };
    const error = this.redacted(delivery, outcome.error);
    if (!outcome.retry) return { status: 'failed', error };
    const delay = retryDelay(delivery.attempts, outcome.retryAfterMs);
    if (delay === null) {
      return { status: 'failed', error: `gave up after ${delivery.attempts} attempts: ${error}` };
    }
    const nextAttemptAt = new Date(now.getTime() + delay).toISOString();
    return { status: 'pending', error, nextAttemptAt };
  }

  /** An error as stored and logged: no secret, routing key or webhook URL in it whole. */
  private redacted(delivery: ClaimedDelivery, error: string): string {
    const secrets = [delivery.routingKey, ...this.options.webhooks.map((w) => w.secret)];
    const target = delivery.channel === 'webhook' ? delivery.target : null;
    const unlinked = target === null ? error : error.split(target).join(maskUrl(target));
    return redact(unlinked, secrets);
  }

  private report(delivery: ClaimedDelivery, result: AttemptResult, kept: boolean): void {
    const fields = {
      delivery_id: delivery.deliveryId,
      channel: delivery.channel,
      target: maskedTarget(delivery),
      action: delivery.action,
      incident_id: delivery.incidentId,
      attempt: delivery.attempts,
    };
    const { logger } = this.options;
    if (!kept) logger.warn(fields, 'notification claim lost before its outcome was recorded');
    else if (result.status === 'delivered') logger.debug(fields, 'notification delivered');
    else if (result.status === 'pending') {
      const retry = { error: result.error, next_attempt_at: result.nextAttemptAt };
      logger.warn({ ...fields, ...retry }, 'notification delivery failed, will retry');
    } else logger.error({ ...fields, error: result.error }, 'notification delivery failed');
  }
}

import type { Clock } from '../clock.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** The verdict on one request. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Requests left right now after this one. */
  readonly remaining: number;
  /** Whole seconds until the next request is allowed; 0 when allowed. */
  readonly retryAfterSeconds: number;
}

/** Buckets kept before full ones (idle callers) are forgotten. */
const PRUNE_ABOVE = 10_000;

/**
 * A token bucket per caller, in memory: `burst` requests at once, refilled at `perMinute`.
 * Each process limits on its own.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): RateDecision {
    const now = this.clock.now().getTime();
    const bucket = this.refilled(key, now);

    if (bucket.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
      return { allowed: false, remaining: 0, retryAfterSeconds: wait };
    }
    bucket.tokens -= 1;
    return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= PRUNE_ABOVE) this.prune(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perMs);
    bucket.at = now;
    return bucket;
  }

  /** Forgets callers whose bucket has filled up again: they would start full anyway. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}

import { describe, expect, it } from 'vitest';

import { ManualClock } from '../clock.js';
import { RateLimiter } from './rate-limiter.js';

describe('rate limiter', () => {
  it('lets a burst through, then one request per refill interval', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(120, 2, clock);

    const burst = [limiter.take('a'), limiter.take('a'), limiter.take('a')];
    clock.advance(499);
    const early = limiter.take('a');
    clock.advance(1);
    const onTime = limiter.take('a');

    expect(burst.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(burst.map((d) => d.remaining)).toEqual([1, 0, 0]);
    expect(burst[2]!.retryAfterSeconds).toBe(1);
    expect(early.allowed).toBe(false);
    expect(onTime).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
  });

  it('says how many whole seconds to wait at a slow rate', () => {
    const limiter = new RateLimiter(1, 1, new ManualClock());

    limiter.take('a');

    expect(limiter.take('a').retryAfterSeconds).toBe(60);
  });

  it('never fills a bucket beyond the burst, and ignores a clock going back', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(60, 5, clock);
    limiter.take('a');

    clock.advance(3_600_000);
    const rested = limiter.take('a');
    clock.advance(-60_000);
    const back = limiter.take('a');

    expect(rested.remaining).toBe(4);
    expect(back.remaining).toBe(3);
  });

  it('forgets idle callers once there are many, keeping the busy ones', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(60, 2, clock);
    limiter.take('busy');
    limiter.take('busy');
    for (let i = 0; i < 10_000; i++) limiter.take(`idle-${i}`);
    clock.advance(1_000);

    limiter.take('newcomer');

    expect(limiter.take('busy')).toMatchObject({ allowed: true, remaining: 0 });
  });
});

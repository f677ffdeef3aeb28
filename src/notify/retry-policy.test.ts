import { describe, expect, it } from 'vitest';

import { MAX_ATTEMPTS, retryDelay } from './retry-policy.js';

describe('retry delays', () => {
  it('doubles from one second', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelay(i + 1));

    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256].map((s) => s * 1000));
  });

  it('gives up after the tenth attempt', () => {
    expect(MAX_ATTEMPTS).toBe(10);
    expect(retryDelay(10)).toBeNull();
  });

  it('waits as long as the receiver asks, up to an hour', () => {
    expect(retryDelay(1, 30_000)).toBe(30_000);
    expect(retryDelay(6, 1000)).toBe(32_000);
    expect(retryDelay(2, 7_200_000)).toBe(3_600_000);
  });
});

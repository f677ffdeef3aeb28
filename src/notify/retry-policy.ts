/** The first retry waits a second; each next one twice as long. */
export const FIRST_RETRY_MS = 1000;
/** No retry waits longer than an hour. */
export const LONGEST_RETRY_MS = 3_600_000;
/** A delivery is given up after this many attempts. */
export const MAX_ATTEMPTS = 10;

/**
 * How long to wait after failed attempt number `attempts` (1 for the first): 1 s, 2 s, 4 s, …
 * up to an hour, or longer when the receiver asked for it with Retry-After (still at most an
 * hour). Null when the attempts are used up.
 */
export function retryDelay(attempts: number, retryAfterMs?: number): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const backoff = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LONGEST_RETRY_MS);
  return Math.min(Math.max(backoff, retryAfterMs ?? 0), LONGEST_RETRY_MS);
}

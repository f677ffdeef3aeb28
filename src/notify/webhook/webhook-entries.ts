import type { WebhookTarget } from '../../config/settings.js';

/**
 * Each webhook with its entry number among those with its URL (0 for the first): what keys its
 * deliveries, so that two entries with one URL sign with their own secrets.
 */
export function webhookEntries(
  hooks: readonly WebhookTarget[],
): Array<{ hook: WebhookTarget; entry: number }> {
  const seen = new Map<string, number>();
  return hooks.map((hook) => {
    const entry = seen.get(hook.url) ?? 0;
    seen.set(hook.url, entry + 1);
    return { hook, entry };
  });
}

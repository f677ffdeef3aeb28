import type { TargetLabel } from '../../config/settings.js';
import type { TargetInput } from '../../events/event-input.js';
import { targetOf } from '../alert-rules.js';

/**
 * A host name without the port Prometheus puts in `instance`: `db-1:9100` → `db-1`,
 * `[2001:db8::1]:9100` → `2001:db8::1`. A bare IPv6 address is left alone.
 */
export function withoutPort(value: string): string {
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(value);
  if (bracketed !== null) return bracketed[1]!;
  const parts = value.split(':');
  return parts.length === 2 && /^\d+$/.test(parts[1]!) ? parts[0]! : value;
}

/** The target named by the first of `order`'s labels that the alert has. */
export function targetFromLabels(
  labels: Readonly<Record<string, string>>,
  order: readonly TargetLabel[],
): TargetInput | null {
  for (const { label, kind } of order) {
    const value = labels[label]?.trim();
    if (value === undefined || value === '') continue;
    return targetOf(kind, kind === 'device' ? withoutPort(value) : value);
  }
  return null;
}

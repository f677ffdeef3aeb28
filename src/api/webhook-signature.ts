import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Where a sender may put its signature; the tool-specific names are the plugin's. */
export const SIGNATURE_HEADERS = [
  'x-webhook-signature',
  'x-capacitor-signature',
  'x-signalfx-signature',
] as const;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when a signature header holds `sha256=<hex HMAC-SHA256 of the body>` under `secret`
 * (the `sha256=` prefix may be left out). Compared in constant time.
 */
export function hasValidSignature(
  headers: IncomingHttpHeaders,
  body: Buffer,
  secret: string,
): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  return SIGNATURE_HEADERS.some((name) => {
    const value = headers[name];
    if (typeof value !== 'string') return false;
    const hex = value.trim().replace(/^sha256=/i, '');
    return HEX_SHA256.test(hex) && timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  });
}

import { createHmac } from 'node:crypto';

import type { ClaimedDelivery } from '../delivery-store.js';
import type { OutgoingRequest } from '../http-post.js';

/**
 * `sha256=<hex HMAC-SHA256 of the body>`, as inbound webhooks are checked
 * (webhook-signature.ts).
 */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The POST of a webhook delivery: the stored body byte for byte, what happened in
 * X-Faultline-Event, the delivery id (the same on every attempt) in X-Faultline-Delivery, and
 * with a secret the signature of the body in X-Webhook-Signature.
 */
export function webhookRequest(delivery: ClaimedDelivery, secret: string | null): OutgoingRequest {
  return {
    url: delivery.target,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Faultline',
      'x-faultline-event': `incident.${delivery.action}`,
      'x-faultline-delivery': delivery.deliveryId,
      ...(secret === null
        ? {}
        : { 'x-webhook-signature': webhookSignature(secret, delivery.payload) }),
    },
    body: delivery.payload,
  };
}

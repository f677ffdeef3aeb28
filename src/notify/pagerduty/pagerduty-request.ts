import type { ClaimedDelivery } from '../delivery-store.js';
import type { OutgoingRequest } from '../http-post.js';

/** The POST of a PagerDuty delivery: the stored event with its routing key put in front. */
export function pagerDutyRequest(delivery: ClaimedDelivery): OutgoingRequest {
  const event = JSON.parse(delivery.payload) as Record<string, unknown>;
  return {
    url: delivery.target,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Faultline',
      'x-faultline-delivery': delivery.deliveryId,
    },
    body: JSON.stringify({ routing_key: delivery.routingKey, ...event }),
  };
}

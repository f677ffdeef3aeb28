import type { ResourceSpec, Row } from '../store/resource-spec.js';
import { DELIVERY_CHANNELS, DELIVERY_STATUSES } from './delivery-store.js';

/**
 * The outbox as a read-only API resource: its fields, filters and order, for the list
 * machinery (`?status=pending&channel=webhook`, `?incident_id=4`, `?ordering=next_attempt_at`).
 * Not registered with the writable resources: nothing creates or changes a delivery by API.
 */
export const notificationDeliverySpec: ResourceSpec = {
  name: 'notification-deliveries',
  table: 'notification_deliveries',
  singular: 'notification delivery',
  fields: [
    { name: 'delivery_id', type: { kind: 'string' }, readOnly: true, filter: true },
    { name: 'channel', type: { kind: 'enum', values: DELIVERY_CHANNELS }, filter: true },
    { name: 'action', type: { kind: 'string' }, filter: true, search: true },
    { name: 'incident_id', type: { kind: 'integer' }, filter: true, sortable: true },
    {
      name: 'status',
      type: { kind: 'enum', values: DELIVERY_STATUSES },
      filter: true,
      sortable: true,
    },
    { name: 'attempts', type: { kind: 'integer' }, filter: true, sortable: true },
    { name: 'last_error', type: { kind: 'text' }, nullable: true, search: true },
    { name: 'next_attempt_at', type: { kind: 'datetime' }, filter: true, sortable: true },
    { name: 'delivered_at', type: { kind: 'datetime' }, filter: true, sortable: true },
  ],
  ordering: ['-id'],
  brief: ['channel', 'action', 'status'],
  display: (row: Row) => `${String(row.channel)} ${String(row.action)} #${Number(row.incident_id)}`,
};

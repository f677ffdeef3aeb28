import { SEVERITIES } from '../config/settings.js';
import { catalogSpec } from '../store/named-resources.js';
import { NOW, type ResourceSpec, type Row } from '../store/resource-spec.js';

export const EVENT_STATUSES = ['triggered', 'ok', 'suppressed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Criticality spellings of monitoring tools and of the plugin before 2025-12. */
export const CRITICALITY_ALIASES: Readonly<Record<string, string>> = {
  warning: 'medium',
  info: 'low',
  error: 'high',
};

/** Event targets: what an alert can be about. */
export const EVENT_TARGET_TYPES = [
  'device',
  'virtual_machine',
  'cluster',
  'technical_service',
] as const;

export const eventSourceSpec = catalogSpec('event-sources', 'event_sources', 'event source');

export const eventSpec: ResourceSpec = {
  name: 'events',
  table: 'events',
  singular: 'event',
  fields: [
    {
      name: 'created_at',
      type: { kind: 'datetime' },
      default: NOW,
      filter: true,
      sortable: true,
      description: 'When the alert first fired (its own timestamp, else its receipt).',
    },
    { name: 'last_seen_at', type: { kind: 'datetime' }, filter: true, sortable: true },
    { name: 'updated_at', column: 'last_updated', type: { kind: 'datetime' }, readOnly: true },
    {
      name: 'object',
      type: {
        kind: 'target',
        types: EVENT_TARGET_TYPES,
        onTargetDeleted: 'detach',
        detachValues: { is_valid: 0, invalid_reason: 'target deleted' },
      },
      nullable: true,
      filter: true,
    },
    { name: 'is_valid', type: { kind: 'boolean' }, readOnly: true, filter: true },
    { name: 'invalid_reason', type: { kind: 'text' }, readOnly: true, nullable: true },
    {
      name: 'message',
      type: { kind: 'string', maxLength: 255 },
      required: true,
      filter: true,
      search: true,
    },
    {
      name: 'dedup_id',
      type: { kind: 'string', maxLength: 128 },
      required: true,
      filter: true,
      search: true,
    },
    {
      name: 'status',
      type: { kind: 'enum', values: EVENT_STATUSES },
      required: true,
      filter: true,
    },
    {
      name: 'criticality',
      type: { kind: 'enum', values: SEVERITIES },
      required: true,
      filter: true,
      aliases: ['criticallity'],
      valueAliases: CRITICALITY_ALIASES,
    },
    {
      name: 'event_source',
      column: 'event_source_id',
      type: { kind: 'ref', to: 'event-sources' },
      nullable: true,
      default: null,
      filter: true,
    },
    { name: 'raw', type: { kind: 'json' }, default: {} },
    {
      name: 'maintenance',
      column: 'maintenance_id',
      type: { kind: 'ref', to: 'maintenance' },
      readOnly: true,
      nullable: true,
      description: 'The maintenance window that suppressed the event.',
    },
    {
      name: 'incidents',
      type: {
        kind: 'refs',
        to: 'incidents',
        link: { table: 'incident_events', ownColumn: 'event_id', otherColumn: 'incident_id' },
      },
      readOnly: true,
      filter: true,
      filterAs: 'incident',
    },
    {
      name: 'correlation',
      type: { kind: 'json' },
      readOnly: true,
      nullable: true,
      description: 'What the automation decided for the event, and why.',
    },
    {
      name: 'occurrences',
      type: { kind: 'integer' },
      readOnly: true,
      sortable: true,
      description: 'How many times the same alert (event source + dedup_id) was received.',
    },
  ],
  ordering: ['-last_seen_at'],
  brief: ['dedup_id', 'status', 'criticality'],
  createdField: 'created_at',
  display: (row: Row) => {
    const message = String(row.message);
    return message.length > 50 ? `${message.slice(0, 50)}...` : message;
  },
};

import { SEVERITIES } from '../config/settings.js';
import { LOCK_KEYS } from '../store/database.js';
import type { FieldSpec, ResourceSpec, Row } from '../store/resource-spec.js';
import { afterIncidentEdit } from './incident-edits.js';

export const INCIDENT_STATUSES = [
  'new',
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'closed',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident is open: it can absorb events and makes services down. */
export const OPEN_INCIDENT_STATUSES: readonly IncidentStatus[] = [
  'new',
  'investigating',
  'identified',
];

function links(name: string, to: string, table: string, other: string, as: string): FieldSpec {
  return {
    name,
    type: { kind: 'refs', to, link: { table, ownColumn: 'incident_id', otherColumn: other } },
    default: [],
    filter: true,
    filterAs: as,
  };
}

const person = (name: string): FieldSpec => ({
  name,
  type: { kind: 'string', maxLength: 120 },
  default: '',
  filter: true,
  search: true,
});

export const incidentSpec: ResourceSpec = {
  name: 'incidents',
  table: 'incidents',
  singular: 'incident',
  fields: [
    {
      name: 'title',
      type: { kind: 'string', maxLength: 255 },
      required: true,
      filter: true,
      search: true,
      sortable: true,
    },
    { name: 'description', type: { kind: 'text' }, default: '', search: true },
    {
      name: 'status',
      type: { kind: 'enum', values: INCIDENT_STATUSES },
      default: 'new',
      filter: true,
    },
    { name: 'severity', type: { kind: 'enum', values: SEVERITIES }, required: true, filter: true },
    {
      name: 'created_at',
      column: 'created',
      type: { kind: 'datetime' },
      readOnly: true,
      sortable: true,
    },
    { name: 'updated_at', column: 'last_updated', type: { kind: 'datetime' }, readOnly: true },
    { name: 'detected_at', type: { kind: 'datetime' }, nullable: true, default: null },
    { name: 'resolved_at', type: { kind: 'datetime' }, nullable: true, default: null },
    person('reporter'),
    person('commander'),
    { name: 'responders', type: { kind: 'strings', maxLength: 120 }, default: [] },
    links(
      'affected_services',
      'technical-services',
      'incident_services',
      'technical_service_id',
      'service',
    ),
    links('affected_devices', 'devices', 'incident_devices', 'device_id', 'device'),
    links(
      'affected_virtual_machines',
      'virtual-machines',
      'incident_virtual_machines',
      'virtual_machine_id',
      'virtual_machine',
    ),
    links('events', 'events', 'incident_events', 'event_id', 'event'),
    {
      name: 'auto_created',
      type: { kind: 'boolean' },
      readOnly: true,
      default: false,
      filter: true,
    },
    {
      name: 'root_cause_services',
      type: {
        kind: 'refs',
        to: 'technical-services',
        link: {
          table: 'incident_root_causes',
          ownColumn: 'incident_id',
          otherColumn: 'technical_service_id',
          orderColumn: 'rank',
        },
      },
      readOnly: true,
      filter: true,
      filterAs: 'root_cause',
      description: 'Probable root causes, most probable first.',
    },
    {
      name: 'title_auto',
      type: { kind: 'boolean' },
      readOnly: true,
      default: false,
      description: 'The title follows the root cause until a person edits it.',
    },
    { name: 'last_event_at', type: { kind: 'datetime' }, readOnly: true, nullable: true },
  ],
  counter: 'incident_version',
  locks: [LOCK_KEYS.incidents],
  afterUpdate: afterIncidentEdit,
  ordering: ['-created'],
  brief: ['title', 'status', 'severity'],
  display: (row: Row) => String(row.title),
};

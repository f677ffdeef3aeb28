import type { FieldErrors } from '../app-error.js';
import { catalogSpec } from '../store/named-resources.js';
import { NOW, TARGET_TYPES, type ResourceSpec, type Row } from '../store/resource-spec.js';
import { toStoredTime } from '../store/row-codec.js';

export const MAINTENANCE_STATUSES = ['planned', 'started', 'finished', 'canceled'] as const;

const shorten = (text: unknown, length = 50): string => {
  const value = String(text ?? '');
  return value.length > length ? `${value.slice(0, length)}...` : value;
};

export const maintenanceSpec: ResourceSpec = {
  name: 'maintenance',
  counter: 'topology_version',
  table: 'maintenance',
  singular: 'maintenance',
  fields: [
    {
      name: 'status',
      type: { kind: 'enum', values: MAINTENANCE_STATUSES },
      required: true,
      filter: true,
    },
    { name: 'description', type: { kind: 'text' }, required: true, search: true },
    {
      name: 'planned_start',
      type: { kind: 'datetime' },
      required: true,
      filter: true,
      sortable: true,
    },
    {
      name: 'planned_end',
      type: { kind: 'datetime' },
      required: true,
      filter: true,
      sortable: true,
    },
    {
      name: 'contact',
      type: { kind: 'string', maxLength: 120 },
      required: true,
      filter: true,
      search: true,
    },
    {
      name: 'object',
      type: { kind: 'target', types: TARGET_TYPES, onTargetDeleted: 'cascade' },
      required: true,
      filter: true,
    },
  ],
  ordering: ['planned_start'],
  brief: ['status', 'planned_start', 'planned_end'],
  display: (row: Row) => shorten(row.description),
  validate: ({ candidate }) => {
    const errors: FieldErrors = {};
    // Times without an offset are UTC, as stored; Date.parse would read them as local time.
    const start = Date.parse(toStoredTime(String(candidate.planned_start)));
    const end = Date.parse(toStoredTime(String(candidate.planned_end)));
    if (end <= start) errors.planned_end = ['Must be after planned_start.'];
    return Promise.resolve(errors);
  },
};

export const changeTypeSpec = catalogSpec('change-types', 'change_types', 'change type');

export const changeSpec: ResourceSpec = {
  name: 'changes',
  table: 'changes',
  singular: 'change',
  fields: [
    {
      name: 'type',
      column: 'type_id',
      type: { kind: 'ref', to: 'change-types' },
      required: true,
      filter: true,
    },
    { name: 'description', type: { kind: 'text' }, required: true, search: true },
    {
      name: 'created_at',
      type: { kind: 'datetime' },
      default: NOW,
      filter: true,
      sortable: true,
      description: 'When the change was made; defaults to the time it is recorded.',
    },
    {
      name: 'object',
      type: { kind: 'target', types: TARGET_TYPES, onTargetDeleted: 'cascade' },
      required: true,
      filter: true,
    },
  ],
  ordering: ['-created_at'],
  brief: ['created_at'],
  createdField: 'created_at',
  display: (row: Row) => shorten(row.description),
};

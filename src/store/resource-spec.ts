import type { FieldErrors } from '../app-error.js';
import type { Db } from './database.js';

/** Object types an event, a maintenance window or a change can point at. */
export const TARGET_TYPES = [
  'device',
  'virtual_machine',
  'cluster',
  'technical_service',
  'business_application',
] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** The resource holding each target type. */
export const TARGET_RESOURCES: Readonly<Record<TargetType, string>> = {
  device: 'devices',
  virtual_machine: 'virtual-machines',
  cluster: 'clusters',
  technical_service: 'technical-services',
  business_application: 'business-applications',
};

/** What happens to a row whose target is deleted: it goes too, or it keeps a null target. */
export type OnTargetDeleted = 'cascade' | 'detach';

/** A many-to-many link: `table` holds (ownColumn → this row, otherColumn → the other row). */
export interface LinkTable {
  readonly table: string;
  readonly ownColumn: string;
  readonly otherColumn: string;
  /** Column giving the order of the linked objects (default: their id). */
  readonly orderColumn?: string;
}

export type FieldType =
  | { readonly kind: 'string'; readonly maxLength?: number; readonly format?: 'url' }
  | { readonly kind: 'text' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'integer'; readonly minimum?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'datetime' }
  /** Any JSON value (an alert's raw payload). */
  | { readonly kind: 'json' }
  /** A JSON object (custom fields). */
  | { readonly kind: 'object' }
  /** A list of strings (tags, responder names). */
  | { readonly kind: 'strings'; readonly maxLength?: number }
  /** A foreign key column holding the id of a row of resource `to`. */
  | { readonly kind: 'ref'; readonly to: string }
  /** A many-to-many relation to resource `to`. */
  | { readonly kind: 'refs'; readonly to: string; readonly link: LinkTable }
  /** A polymorphic target: columns object_type + object_id. */
  | {
      readonly kind: 'target';
      readonly types: readonly TargetType[];
      readonly onTargetDeleted: OnTargetDeleted;
      /** Further column values set when the target is deleted and the row is detached. */
      readonly detachValues?: Readonly<Record<string, unknown>>;
    };

/** Counters in automation_state: bumped by writes that invalidate in-memory indexes. */
export type StateCounter = 'topology_version' | 'incident_version';

/** Default value meaning "the time of the write". */
export const NOW = Symbol('now');

export interface FieldSpec {
  /** Name in the API. */
  readonly name: string;
  /** Column, when it differs from the name (for `ref`, the id column). */
  readonly column?: string;
  readonly type: FieldType;
  readonly required?: boolean;
  readonly nullable?: boolean;
  /** Value used on create when the field is absent; NOW stands for the time of the write. */
  readonly default?: unknown;
  /** Shown but never written through the API. */
  readonly readOnly?: boolean;
  /** A credential: written through the API, shown only masked (see secret-mask.ts). */
  readonly secret?: boolean;
  readonly unique?: boolean;
  /** Offer list filters on this field. */
  readonly filter?: boolean;
  /** Name of the filter for a relation (`device` gives `device` and `device_id`). */
  readonly filterAs?: string;
  /** Include in the `q` text search. */
  readonly search?: boolean;
  /** Accepted as `?ordering=`. */
  readonly sortable?: boolean;
  /** Other input names for the same field (the plugin's `criticallity`). */
  readonly aliases?: readonly string[];
  /** Other input spellings of enum values (`warning` for `medium`). */
  readonly valueAliases?: Readonly<Record<string, string>>;
  /** Text for the OpenAPI document. */
  readonly description?: string;
}

/** A query executor inside a write transaction. */
export type Tx = Db;

/** A row as the database returns it, decoded to JS values. */
export type Row = Record<string, unknown> & { id: number };

/** What a domain rule may look at: the merged record to be stored and the transaction. */
export interface WriteContext {
  readonly tx: Tx;
  /** The stored row on update, null on create. */
  readonly existing: Row | null;
  /** The record as it will be stored (column values), existing values merged with the input. */
  readonly candidate: Record<string, unknown>;
}

/** An update just written: the row before it and the column values it changed. */
export interface UpdateContext {
  readonly tx: Tx;
  readonly existing: Row;
  readonly values: Readonly<Record<string, unknown>>;
  readonly now: string;
  /** Who made the change (the API token's name). */
  readonly actor: string;
}

export interface ResourceSpec {
  /** Name of the resource, also its path segment (`technical-services`). */
  readonly name: string;
  readonly table: string;
  /** Lower-case singular, for messages: "technical service with this name already exists." */
  readonly singular: string;
  readonly fields: readonly FieldSpec[];
  /** Default order of lists; `-` prefix for descending. `id` is always the last tie-breaker. */
  readonly ordering: readonly string[];
  /** Column names (besides id) included in brief nested objects. */
  readonly brief: readonly string[];
  /** The `display` string of a row. */
  display(row: Row): string;
  /** The column holding the human name, used by `?<relation>=<name>` filters. */
  readonly nameColumn?: string;
  /** The datetime field that `created_after` / `created_before` filter on. */
  readonly createdField?: string;
  /** Groups of API field names whose values must be unique together. */
  readonly uniqueTogether?: ReadonlyArray<readonly string[]>;
  /** The target type this resource is, when events, maintenance or changes can point at it. */
  readonly targetType?: TargetType;
  /** Lock keys (see LOCK_KEYS) every write of this resource holds, to serialise decisions. */
  readonly locks?: readonly number[];
  /** The change counter a write bumps, telling other processes to reload their indexes. */
  readonly counter?: StateCounter;
  /** Cross-field and graph rules checked inside the write transaction. */
  validate?(context: WriteContext): Promise<FieldErrors>;
  /** Runs inside the transaction after an update through the API (timeline entries…). */
  afterUpdate?(context: UpdateContext): Promise<void>;
  /** Column values that follow from the others, computed before every write. */
  derive?(candidate: Record<string, unknown>, existing: Row | null): Record<string, unknown>;
}

/** The fields every object carries besides its own (NetBox's common fields). */
export const COMMON_FIELDS: readonly FieldSpec[] = [
  { name: 'tags', type: { kind: 'strings', maxLength: 100 }, default: [], filter: false },
  { name: 'custom_fields', type: { kind: 'object' }, default: {} },
  { name: 'created', type: { kind: 'datetime' }, readOnly: true, sortable: true },
  { name: 'last_updated', type: { kind: 'datetime' }, readOnly: true, sortable: true },
];

export function columnOf(field: FieldSpec): string {
  return field.column ?? field.name;
}

export function allFields(spec: ResourceSpec): readonly FieldSpec[] {
  return [...spec.fields, ...COMMON_FIELDS];
}

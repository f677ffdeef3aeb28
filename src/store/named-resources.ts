import type { FieldSpec, ResourceSpec, Row } from './resource-spec.js';

/** A required, unique, searchable `name`, as most objects have. */
export function uniqueName(maxLength: number): FieldSpec {
  return {
    name: 'name',
    type: { kind: 'string', maxLength },
    required: true,
    unique: true,
    filter: true,
    search: true,
    sortable: true,
  };
}

/** Ordering, brief form and display of a resource known by its name. */
export const BY_NAME = {
  ordering: ['name'],
  brief: ['name'],
  nameColumn: 'name',
  display: (row: Row) => String(row.name),
} as const;

/** A catalogue of names with a description (event sources, change types). */
export function catalogSpec(name: string, table: string, singular: string): ResourceSpec {
  return {
    name,
    table,
    singular,
    fields: [
      uniqueName(64),
      { name: 'description', type: { kind: 'text' }, default: '', search: true },
    ],
    ...BY_NAME,
  };
}

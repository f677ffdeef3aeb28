import {
  columnOf,
  allFields,
  type FieldSpec,
  type ResourceSpec,
  type Row,
} from './resource-spec.js';

type Decoder = (value: unknown) => unknown;

const decodeJson: Decoder = (value) => (typeof value === 'string' ? JSON.parse(value) : value);
const decodeBool: Decoder = (value) => value === true || value === 1;

/** Turns an API datetime (offset optional, UTC assumed) into the stored ISO 8601 UTC form. */
export function toStoredTime(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(value);
  const date = new Date(hasZone || !value.includes('T') ? value : `${value}Z`);
  return date.toISOString();
}

function decoderFor(field: FieldSpec): Decoder | null {
  switch (field.type.kind) {
    case 'boolean':
      return decodeBool;
    case 'json':
    case 'object':
    case 'strings':
      return decodeJson;
    default:
      return null;
  }
}

function encoderFor(field: FieldSpec): (value: unknown) => unknown {
  switch (field.type.kind) {
    case 'boolean':
      return (value) => (value === null ? null : value ? 1 : 0);
    case 'json':
    case 'object':
    case 'strings':
      return (value) => JSON.stringify(value);
    case 'datetime':
      return (value) => (value === null ? null : toStoredTime(value as string));
    default:
      return (value) => value;
  }
}

/**
 * Converts between JS values and what both engines store: JSON as text (PostgreSQL casts it to
 * jsonb), booleans as 0/1 (PostgreSQL reads '1' as true), timestamps as ISO 8601 UTC.
 */
export class RowCodec {
  private readonly decoders: Array<[string, Decoder]> = [];
  private readonly encoders = new Map<string, (value: unknown) => unknown>();

  constructor(spec: ResourceSpec) {
    for (const field of allFields(spec)) {
      const kind = field.type.kind;
      if (kind === 'refs' || kind === 'target') continue;
      const column = columnOf(field);
      const decoder = decoderFor(field);
      if (decoder !== null && !this.decoders.some(([c]) => c === column)) {
        this.decoders.push([column, decoder]);
      }
      this.encoders.set(column, encoderFor(field));
    }
  }

  decode(raw: Record<string, unknown>): Row {
    const row = { ...raw } as Row;
    for (const [column, decode] of this.decoders) {
      if (row[column] !== undefined && row[column] !== null) row[column] = decode(row[column]);
    }
    return row;
  }

  encode(values: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(values)) {
      const encode = this.encoders.get(column);
      out[column] = encode === undefined || value === undefined ? value : encode(value);
    }
    return out;
  }
}

import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../app-error.js';
import type { Clock } from '../clock.js';
import { isForeignKeyViolation, uniqueViolationColumns } from './constraint-error.js';
import type { ResourceRegistry } from './resource-registry.js';
import {
  TARGET_TYPES,
  NOW,
  allFields,
  columnOf,
  type FieldSpec,
  type ResourceSpec,
  type Row,
  type TargetType,
  type Tx,
} from './resource-spec.js';
import type { ResourceStore } from './resource-store.js';
import { bumpCounter } from './state-counters.js';

/** An API body after schema validation: field name → value. */
export type Input = Record<string, unknown>;

interface Prepared {
  /** Column values to store. */
  readonly values: Record<string, unknown>;
  /** Many-to-many fields given in the input, with their ids. */
  readonly links: Array<[FieldSpec, number[]]>;
}

function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Splits API input into column values and link sets; only writable fields that are present. */
function prepare(spec: ResourceSpec, input: Input, now: string | null): Prepared {
  const creating = now !== null;
  const values: Record<string, unknown> = {};
  const links: Array<[FieldSpec, number[]]> = [];
  for (const field of allFields(spec)) {
    if (field.readOnly) {
      const stored = field.type.kind !== 'refs' && field.type.kind !== 'target';
      if (creating && stored && field.default !== undefined) {
        values[columnOf(field)] = field.default;
      }
      continue;
    }
    if (field.type.kind === 'target') {
      if ('object_type' in input) values.object_type = input.object_type;
      if ('object_id' in input) values.object_id = input.object_id;
      continue;
    }
    let value = input[field.name];
    if (value === undefined && creating && field.default !== undefined) {
      value = field.default === NOW ? now : structuredClone(field.default);
    }
    if (value === undefined) continue;
    if (field.type.kind === 'refs') links.push([field, value as number[]]);
    else values[columnOf(field)] = value;
  }
  return { values, links };
}

/** A set of columns whose values must be unique together, the field named when they clash. */
interface UniqueGroup {
  readonly field: string;
  readonly columns: readonly string[];
  readonly message: string;
}

/** Each unique field alone, then each unique-together set of the resource. */
function uniqueGroups(spec: ResourceSpec): UniqueGroup[] {
  const groups: UniqueGroup[] = spec.fields
    .filter((f) => f.unique)
    .map((f) => ({
      field: f.name,
      columns: [columnOf(f)],
      message: `${spec.singular} with this ${f.name} already exists.`,
    }));
  for (const group of spec.uniqueTogether ?? []) {
    groups.push({
      field: 'non_field_errors',
      columns: group.map((name) => columnOf(spec.fields.find((f) => f.name === name)!)),
      message: `The fields ${group.join(', ')} must make a unique set.`,
    });
  }
  return groups;
}

/** The values of a group in a record, or null when one of them is unset. */
function groupValues(group: UniqueGroup, record: Record<string, unknown>): unknown[] | null {
  const values = group.columns.map((c) => record[c]);
  return values.some((v) => v === undefined || v === null) ? null : values;
}

/** Adds the clashes between two records of one request (items of a bulk create). */
function clashesBetween(
  spec: ResourceSpec,
  candidate: Record<string, unknown>,
  other: Record<string, unknown>,
  errors: FieldErrors,
): void {
  for (const group of uniqueGroups(spec)) {
    const values = groupValues(group, candidate);
    if (values === null || !group.columns.every((c, i) => other[c] === values[i])) continue;
    if (!(errors[group.field] ?? []).includes(group.message)) {
      addError(errors, group.field, group.message);
    }
  }
}

/**
 * Writes resources through their specs, all-or-nothing: every reference must exist, unique
 * values must be free and the domain's rules must hold, or nothing is stored and a
 * ValidationError names each bad field.
 */
export class ResourceWriter {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly clock: Clock,
  ) {}

  /** A write transaction holding the resource's locks and bumping its change counter. */
  private write<T>(spec: ResourceSpec, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.registry.database.write(async (tx) => {
      const result = await work(tx);
      if (spec.counter !== undefined) await bumpCounter(tx, spec.counter);
      return result;
    }, spec.locks);
  }

  /** Creates one record per input, in order, in one transaction; returns their ids. */
  async create(spec: ResourceSpec, inputs: readonly Input[]): Promise<number[]> {
    return this.write(spec, (tx) => this.createWithin(tx, spec, inputs));
  }

  /** As create, inside a transaction the caller holds. */
  async createWithin(tx: Tx, spec: ResourceSpec, inputs: readonly Input[]): Promise<number[]> {
    const ids: number[] = [];
    const errors: FieldErrors[] = [];
    for (const input of inputs) {
      try {
        errors.push(await this.createOne(tx, spec, input, ids));
      } catch (error) {
        // A failed statement ends the transaction on PostgreSQL: report this item and stop.
        if (!(error instanceof ValidationError) || inputs.length === 1) throw error;
        errors.push(error.fields as FieldErrors);
        break;
      }
    }
    if (errors.some((e) => Object.keys(e).length > 0)) {
      while (errors.length < inputs.length) errors.push({});
      throw new ValidationError(inputs.length === 1 ? errors[0]! : errors);
    }
    return ids;
  }

  private async createOne(
    tx: Tx,
    spec: ResourceSpec,
    input: Input,
    ids: number[],
  ): Promise<FieldErrors> {
    const now = this.clock.now().toISOString();
    const { values, links } = prepare(spec, input, now);
    const errors = await this.check(tx, spec, values, links, null);
    if (Object.keys(errors).length > 0) return errors;

    const store = this.registry.store(spec.name);
    const id = await this.guard(spec, () =>
      store.insert(tx, { ...values, created: now, last_updated: now }),
    );
    for (const [field, targetIds] of links) await store.setLinks(tx, field, id, targetIds);
    ids.push(id);
    return {};
  }

  /**
   * The unknown related ids and the unique clashes among the fields present in `inputs`, one
   * error set per input, changing nothing: for a request whose other fields failed their schema,
   * so that one answer names every bad field. With `id`, the inputs update that record; the
   * items of a bulk create are also checked against each other.
   */
  async fieldErrors(
    spec: ResourceSpec,
    inputs: readonly Input[],
    id: number | null,
  ): Promise<FieldErrors[]> {
    const db = this.registry.database.db;
    const existing = id === null ? null : await this.registry.store(spec.name).get(id);
    const earlier: Array<Record<string, unknown>> = [];
    const out: FieldErrors[] = [];
    for (const input of inputs) {
      const { values, links } = prepare(spec, input, null);
      const errors: FieldErrors = {};
      await this.checkReferences(db, spec, values, links, errors);
      const candidate = { ...(existing ?? {}), ...values };
      await this.checkUnique(db, spec, candidate, existing, errors);
      for (const other of earlier) clashesBetween(spec, candidate, other, errors);
      earlier.push(candidate);
      out.push(errors);
    }
    return out;
  }

  /** Updates record `id` with the fields present in `input`; `actor` names who did it. */
  async update(spec: ResourceSpec, id: number, input: Input, actor = 'api'): Promise<void> {
    await this.write(spec, async (tx) => {
      const store = this.registry.store(spec.name);
      const existing = await store.get(id, tx);
      if (existing === null) throw new NotFoundError();

      const { values, links } = prepare(spec, input, null);
      const errors = await this.check(tx, spec, values, links, existing);
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);

      const now = this.clock.now().toISOString();
      await this.guard(spec, () => store.update(tx, id, { ...values, last_updated: now }));
      for (const [field, targetIds] of links) await store.setLinks(tx, field, id, targetIds);
      await spec.afterUpdate?.({ tx, existing, values, now, actor });
    });
  }

  /** Deletes record `id`; rows that point at it as their target follow their spec's rule. */
  async delete(spec: ResourceSpec, id: number): Promise<void> {
    await this.write(spec, async (tx) => {
      if (spec.targetType !== undefined) await this.releaseTarget(tx, spec.targetType, id);
      try {
        const deleted = await this.registry.store(spec.name).delete(tx, id);
        if (!deleted) throw new NotFoundError();
      } catch (error) {
        if (!isForeignKeyViolation(error)) throw error;
        throw new ConflictError(`Unable to delete ${spec.singular} ${id}: other objects use it.`);
      }
    });
  }

  private async releaseTarget(tx: Tx, type: TargetType, id: number): Promise<void> {
    for (const spec of this.registry.specs()) {
      const target = spec.fields.find((f) => f.type.kind === 'target');
      if (target?.type.kind !== 'target') continue;
      if (target.type.onTargetDeleted === 'cascade') {
        await tx
          .deleteFrom(spec.table)
          .where('object_type', '=', type)
          .where('object_id', '=', id)
          .execute();
      } else {
        await tx
          .updateTable(spec.table)
          .set({ ...target.type.detachValues, object_type: null, object_id: null })
          .where('object_type', '=', type)
          .where('object_id', '=', id)
          .execute();
      }
    }
  }

  /** Runs a write, turning a unique-constraint race into the same 400 as the pre-check. */
  private async guard<T>(spec: ResourceSpec, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const columns = uniqueViolationColumns(error);
      if (columns === null) throw error;
      const field = allFields(spec).find((f) => columns.includes(columnOf(f)));
      const name = field?.name ?? 'non_field_errors';
      throw ValidationError.field(name, `${spec.singular} with this ${name} already exists.`);
    }
  }

  private async check(
    tx: Tx,
    spec: ResourceSpec,
    values: Record<string, unknown>,
    links: Array<[FieldSpec, number[]]>,
    existing: Row | null,
  ): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    await this.checkReferences(tx, spec, values, links, errors);
    const candidate = { ...(existing ?? {}), ...values };
    if (spec.derive !== undefined) {
      Object.assign(values, spec.derive(candidate, existing));
      Object.assign(candidate, values);
    }
    await this.checkUnique(tx, spec, candidate, existing, errors);
    if (Object.keys(errors).length === 0 && spec.validate !== undefined) {
      const ruleErrors = await spec.validate({ tx, existing, candidate });
      for (const [field, messages] of Object.entries(ruleErrors)) {
        for (const message of messages) addError(errors, field, message);
      }
    }
    return errors;
  }

  private async checkReferences(
    tx: Tx,
    spec: ResourceSpec,
    values: Record<string, unknown>,
    links: Array<[FieldSpec, number[]]>,
    errors: FieldErrors,
  ): Promise<void> {
    for (const field of spec.fields) {
      const type = field.type;
      if (type.kind === 'ref') {
        const id = values[columnOf(field)];
        if (typeof id === 'number') await this.requireIds(tx, type.to, field.name, [id], errors);
      } else if (type.kind === 'refs') {
        const ids = links.find(([f]) => f === field)?.[1] ?? [];
        await this.requireIds(tx, type.to, field.name, ids, errors);
      } else if (type.kind === 'target') {
        await this.checkTarget(tx, field, values, errors);
      }
    }
  }

  private async requireIds(
    tx: Tx,
    resource: string,
    fieldName: string,
    ids: readonly number[],
    errors: FieldErrors,
  ): Promise<void> {
    const found = await this.registry.store(resource).existingIds(ids, tx);
    for (const id of ids) {
      if (!found.has(id))
        addError(errors, fieldName, `Invalid pk "${id}" - object does not exist.`);
    }
  }

  private async checkTarget(
    tx: Tx,
    field: FieldSpec,
    values: Record<string, unknown>,
    errors: FieldErrors,
  ): Promise<void> {
    if (!('object_type' in values) && !('object_id' in values)) return;
    const type = values.object_type as TargetType | null | undefined;
    const id = values.object_id as number | null | undefined;
    if ((type ?? null) === null && (id ?? null) === null && !field.required) return;
    if (type === null || type === undefined || !TARGET_TYPES.includes(type)) {
      addError(errors, 'object_type', 'This field is required with object_id.');
      return;
    }
    if (id === null || id === undefined) {
      addError(errors, 'object_id', 'This field is required with object_type.');
      return;
    }
    const found = await this.registry.targetStore(type).existingIds([id], tx);
    if (!found.has(id)) addError(errors, 'object_id', `No ${type} with id ${id}.`);
  }

  private async checkUnique(
    tx: Tx,
    spec: ResourceSpec,
    candidate: Record<string, unknown>,
    existing: Row | null,
    errors: FieldErrors,
  ): Promise<void> {
    const store: ResourceStore = this.registry.store(spec.name);
    const exceptId = existing?.id ?? null;
    for (const group of uniqueGroups(spec)) {
      const values = groupValues(group, candidate);
      if (values === null) continue;
      if ((await store.findClash(tx, group.columns, values, exceptId)) !== null) {
        addError(errors, group.field, group.message);
      }
    }
  }
}

import { NotFoundError, ValidationError, type FieldErrors } from '../app-error.js';
import type { Severity } from '../config/settings.js';
import type { ResourceRegistry } from '../store/resource-registry.js';
import type { ResourceSpec, Row } from '../store/resource-spec.js';
import type { Input, ResourceWriter } from '../store/resource-writer.js';
import type { NamedTargetType } from '../topology/topology-index.js';
import type { EventInput } from './event-input.js';
import type { EventPipeline } from './event-pipeline.js';
import type { EventStatus } from './event-specs.js';

/** API input (after schema validation) as the pipeline's EventInput. */
function toEventInput(api: Input): EventInput {
  const type = api.object_type as NamedTargetType | null | undefined;
  const id = api.object_id as number | null | undefined;
  return {
    source: typeof api.event_source === 'number' ? { id: api.event_source } : null,
    dedupId: String(api.dedup_id),
    message: String(api.message),
    status: api.status as EventStatus,
    criticality: api.criticality as Severity,
    target: type != null && id != null ? { type, id } : null,
    time: (api.created_at as string | undefined) ?? (api.last_seen_at as string | undefined),
    raw: api.raw,
    tags: api.tags as string[] | undefined,
    customFields: api.custom_fields as Record<string, unknown> | undefined,
  };
}

/** The stored event in API input terms, so that a partial update can be merged onto it. */
function asInput(row: Row): Input {
  return {
    dedup_id: row.dedup_id,
    message: row.message,
    status: row.status,
    criticality: row.criticality,
    event_source: row.event_source_id,
    object_type: row.object_type,
    object_id: row.object_id,
  };
}

/**
 * Writes of the events API. Creating and changing events goes through the event pipeline, like
 * every alert, so that the automation treats an event the same whichever door it came in by.
 */
export class EventService {
  constructor(
    private readonly pipeline: EventPipeline,
    private readonly registry: ResourceRegistry,
    private readonly generic: ResourceWriter,
  ) {}

  async create(_spec: ResourceSpec, inputs: readonly Input[]): Promise<number[]> {
    const errors = await Promise.all(inputs.map((input) => this.check(input, null)));
    if (errors.some((e) => Object.keys(e).length > 0)) {
      throw new ValidationError(inputs.length === 1 ? errors[0]! : errors);
    }
    const outcomes = await Promise.all(
      inputs.map((input) => this.pipeline.record({ input: toEventInput(input) })),
    );
    return outcomes.map((o) => o.eventId);
  }

  async update(_spec: ResourceSpec, id: number, input: Input): Promise<void> {
    const stored = await this.registry.store('events').get(id);
    if (stored === null) throw new NotFoundError();
    const merged = { ...asInput(stored), ...input };
    const errors = await this.check(merged, id);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    await this.pipeline.record({
      input: { ...toEventInput(merged), time: null },
      edit: {
        eventId: id,
        ...(typeof input.created_at === 'string' ? { createdAt: input.created_at } : {}),
        ...(typeof input.last_seen_at === 'string' ? { lastSeenAt: input.last_seen_at } : {}),
      },
    });
  }

  /** What the checks of create and update find among the fields present in `inputs`. */
  async fieldErrors(
    _spec: ResourceSpec,
    inputs: readonly Input[],
    id: number | null,
  ): Promise<FieldErrors[]> {
    const stored = id === null ? null : await this.registry.store('events').get(id);
    return Promise.all(
      inputs.map((input) =>
        stored === null
          ? this.check(input, null)
          : this.check({ ...asInput(stored), ...input }, id),
      ),
    );
  }

  delete(spec: ResourceSpec, id: number): Promise<void> {
    return this.generic.delete(spec, id);
  }

  /** References that must exist, and the alert identity that must stay unique on an edit. */
  private async check(input: Input, editing: number | null): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    const source = input.event_source;
    if (typeof source === 'number') {
      const found = await this.registry.store('event-sources').existingIds([source]);
      if (!found.has(source))
        errors.event_source = [`Invalid pk "${source}" - object does not exist.`];
    }
    const type = input.object_type as NamedTargetType | null | undefined;
    const id = input.object_id as number | null | undefined;
    if ((type == null) !== (id == null)) {
      const missing = type == null ? 'object_type' : 'object_id';
      errors[missing] = ['Give object_type and object_id together.'];
    } else if (type != null && id != null) {
      const found = await this.registry.targetStore(type).existingIds([id]);
      if (!found.has(id)) errors.object_id = [`No ${type} with id ${id}.`];
    }
    if (editing !== null) await this.checkIdentity(input, editing, errors);
    return errors;
  }

  private async checkIdentity(input: Input, editing: number, errors: FieldErrors): Promise<void> {
    const store = this.registry.store('events');
    const sourceKey = typeof input.event_source === 'number' ? input.event_source : 0;
    const clash = await store.findClash(
      this.registry.database.db,
      ['source_key', 'dedup_id'],
      [sourceKey, input.dedup_id],
      editing,
    );
    if (clash !== null) {
      errors.dedup_id = ['event with this event_source and dedup_id already exists.'];
    }
  }
}

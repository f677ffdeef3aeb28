import type { Database } from './database.js';
import { TARGET_RESOURCES, type ResourceSpec, type TargetType } from './resource-spec.js';
import { ResourceStore } from './resource-store.js';

/** Every resource of the data model, by name, with its store. */
export class ResourceRegistry {
  private readonly stores = new Map<string, ResourceStore>();

  constructor(
    readonly database: Database,
    specs: readonly ResourceSpec[],
  ) {
    for (const spec of specs) this.stores.set(spec.name, new ResourceStore(spec, database));
  }

  store(name: string): ResourceStore {
    const store = this.stores.get(name);
    if (store === undefined) throw new Error(`unknown resource ${name}`);
    return store;
  }

  spec(name: string): ResourceSpec {
    return this.store(name).spec;
  }

  specs(): ResourceSpec[] {
    return [...this.stores.values()].map((s) => s.spec);
  }

  targetStore(type: TargetType): ResourceStore {
    return this.store(TARGET_RESOURCES[type]);
  }
}

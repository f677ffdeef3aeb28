import type { Db } from '../store/database.js';
import { readCounters } from '../store/state-counters.js';
import type { ServiceHealth } from '../topology/service-health.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import type { AutomationIndexes } from './automation-indexes.js';
import type { ServiceHealthTracker } from './incident-health.js';
import type { IncidentIndex } from './incident-index.js';

/** The automation's indexes as committed, with the health of every service. */
export interface IndexView {
  readonly topology: TopologyIndex;
  readonly incidents: IncidentIndex;
  readonly health: ServiceHealth;
}

/** Runs work as a decision: serialised with the others, on indexes brought up to date. */
export interface DecisionRunner {
  run<T>(work: (tx: Db) => Promise<T>): Promise<T>;
}

export interface CurrentIndexesOptions {
  /** Where the change counters are read, outside any transaction. */
  readonly db: Db;
  readonly indexes: AutomationIndexes;
  /** The event pipeline: the one writer that refreshes the indexes. */
  readonly decisions: DecisionRunner;
  readonly health: ServiceHealthTracker;
}

/**
 * Read access to the automation's in-memory indexes for the API: the topology, the open
 * incidents and the memoised service health, as the database holds them now. When the change
 * counters show that the memory is current, the view runs at once; otherwise (a topology or
 * incident write, another process's decision, a decision still in flight) it runs as a
 * decision, after the pipeline brought the indexes up to date. No copy of the indexes is kept
 * here, so the health computed for the API is the one the tracker memoises for everyone.
 * Inside a decision, call the tracker directly: waiting here for the pipeline would deadlock.
 */
export class CurrentIndexes {
  constructor(private readonly options: CurrentIndexesOptions) {}

  /** Runs `view` (synchronous, so the indexes cannot move under it) on current indexes. */
  async read<T>(view: (current: IndexView) => T): Promise<T> {
    const { indexes, decisions } = this.options;
    const counters = await readCounters(this.options.db);
    const current =
      !indexes.uncommitted &&
      indexes.topology.version === counters.topology_version &&
      indexes.incidents.version === counters.incident_version;
    if (current) return view(this.view());
    return decisions.run(async () => view(this.view()));
  }

  private view(): IndexView {
    const { indexes, health } = this.options;
    return { topology: indexes.topology, incidents: indexes.incidents, health: health.current() };
  }
}

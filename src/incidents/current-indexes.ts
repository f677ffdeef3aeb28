import type { Db } from '../store/database.js';
import { readCounters } from '../store/state-counters.js';
import type { ServiceHealth } from '../topology/service-health.js';
import { loadTopology } from '../topology/topology-loader.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import type { AutomationIndexes } from './automation-indexes.js';
import type { HealthSource, ServiceHealthTracker } from './incident-health.js';
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
  /** Reads the open and monitoring incidents, for a transaction the indexes do not follow. */
  readonly incidents: { loadActive(ex: Db): Promise<Iterable<HealthSource>> };
}

/**
 * Read access to the automation's in-memory indexes for the API: the topology, the open
 * incidents and the memoised service health, as the database holds them now. When the change
 * counters show that the memory is current, the view runs at once; otherwise (a topology or
 * incident write, another process's decision, a decision still in flight) it runs as a
 * decision, after the pipeline brought the indexes up to date. The API's reads keep no copy of
 * the indexes, so the health computed for them is the one the tracker memoises for everyone.
 * Inside a decision, call the tracker directly (or `topologyIn` and `healthIn`): waiting here
 * for the pipeline would deadlock.
 */
export class CurrentIndexes {
  /** The topology read for a transaction while the in-memory one was behind it. */
  private own: TopologyIndex | null = null;

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

  /**
   * The topology as the transaction `tx` sees it (one that writes what an incident change
   * implies: notifications): the in-memory index when it is current, as it always is inside a
   * decision, else a copy read from `tx`, kept for its version.
   */
  async topologyIn(tx: Db): Promise<TopologyIndex> {
    const version = (await readCounters(tx)).topology_version;
    const shared = this.options.indexes.topology;
    if (shared.version === version) return shared;
    if (this.own?.version !== version) {
      this.own = await loadTopology(tx, version, shared.maxDepth);
    }
    return this.own;
  }

  /**
   * The health of every service as `tx` sees the incidents: the memoised one when the indexes
   * hold what `tx` holds (inside a decision, its own changes included), else computed afresh
   * over the incidents read from `tx` (an incident a person edited through the API).
   */
  async healthIn(tx: Db, topology: TopologyIndex): Promise<ServiceHealth> {
    const counters = await readCounters(tx);
    const { indexes, health } = this.options;
    const current =
      indexes.topology === topology && indexes.incidents.version === counters.incident_version;
    if (current) return health.current();
    return health.of(topology, await this.options.incidents.loadActive(tx));
  }

  private view(): IndexView {
    const { indexes, health } = this.options;
    return { topology: indexes.topology, incidents: indexes.incidents, health: health.current() };
  }
}

import type { Db } from '../store/database.js';
import { readCounters } from '../store/state-counters.js';
import { loadTopology } from '../topology/topology-loader.js';
import type { TopologyIndex } from '../topology/topology-index.js';

/**
 * The topology as a transaction sees it, for notification bodies: the automation's in-memory
 * index when it is current (always, inside a decision), else a copy loaded here once per
 * topology version (an incident edited through the API before any decision ran).
 */
export class CurrentTopology {
  private own: TopologyIndex | null = null;

  constructor(
    private readonly shared: () => TopologyIndex,
    private readonly maxDepth: number,
  ) {}

  async read(tx: Db): Promise<TopologyIndex> {
    const version = (await readCounters(tx)).topology_version;
    const shared = this.shared();
    if (shared.version === version) return shared;
    if (this.own?.version !== version) this.own = await loadTopology(tx, version, this.maxDepth);
    return this.own;
  }
}

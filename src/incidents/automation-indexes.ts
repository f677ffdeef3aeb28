import type { Logger } from '../log/logger.js';
import type { Db } from '../store/database.js';
import { bumpCounter, readCounters } from '../store/state-counters.js';
import { loadTopology } from '../topology/topology-loader.js';
import { TopologyIndex } from '../topology/topology-index.js';
import { IncidentIndex } from './incident-index.js';
import type { IncidentStore } from './incident-store.js';

/**
 * The in-memory topology and incident indexes the automation decides on, kept in step with the
 * database through the change counters: refresh() runs at the start of every decision
 * transaction, while the decision lock is held, and reloads whatever another writer changed.
 */
export class AutomationIndexes {
  topology: TopologyIndex;
  incidents: IncidentIndex;
  private incidentsChanged = false;
  private reloadRequested = false;

  constructor(
    private readonly maxDepth: number,
    private readonly store: IncidentStore,
    private readonly logger: Logger,
  ) {
    this.topology = new TopologyIndex(-1, maxDepth);
    this.incidents = new IncidentIndex(-1, this.topology);
  }

  async refresh(tx: Db): Promise<void> {
    const counters = await readCounters(tx);
    const topologyStale = counters.topology_version !== this.topology.version;
    if (topologyStale) {
      const started = Date.now();
      this.topology = await loadTopology(tx, counters.topology_version, this.maxDepth);
      this.logger.info(
        {
          topology_version: counters.topology_version,
          services: this.topology.services.size,
          duration_ms: Date.now() - started,
        },
        'topology loaded',
      );
    }
    if (topologyStale || counters.incident_version !== this.incidents.version) {
      await this.loadIncidents(tx, counters.incident_version);
    }
    this.incidentsChanged = false;
  }

  private async loadIncidents(tx: Db, version: number): Promise<void> {
    const index = new IncidentIndex(version, this.topology);
    for (const state of await this.store.loadActive(tx)) index.put(state);
    this.incidents = index;
  }

  /**
   * Reloads the incidents from the transaction now, after changes the memory did not follow
   * (incidents shrank); commit() then publishes them.
   */
  async reloadIncidents(tx: Db): Promise<void> {
    await this.loadIncidents(tx, this.incidents.version);
    this.requestIncidentReload();
  }

  /** True while a decision transaction holds incident changes it has not committed. */
  get uncommitted(): boolean {
    return this.incidentsChanged;
  }

  /** Notes that this transaction changed incidents; commit() then bumps the counter once. */
  markIncidentsChanged(): void {
    this.incidentsChanged = true;
  }

  /** Notes that incidents changed in ways the memory did not follow: reload them next time. */
  requestIncidentReload(): void {
    this.incidentsChanged = true;
    this.reloadRequested = true;
  }

  /** Call last inside the transaction. */
  async commit(tx: Db): Promise<void> {
    if (!this.incidentsChanged) return;
    await bumpCounter(tx, 'incident_version');
    this.incidents.version = this.reloadRequested ? -1 : this.incidents.version + 1;
    this.incidentsChanged = false;
    this.reloadRequested = false;
  }

  /** After a failed transaction the memory may be ahead of the database: reload next time. */
  invalidate(): void {
    this.topology = new TopologyIndex(-1, this.maxDepth);
    this.incidents = new IncidentIndex(-1, this.topology);
  }

  /** After a rolled-back preview: incidents reload next time (the topology was not touched). */
  invalidateIncidents(): void {
    this.incidents = new IncidentIndex(-1, this.topology);
    this.incidentsChanged = false;
    this.reloadRequested = false;
  }
}

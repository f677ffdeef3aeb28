import type { Severity } from '../config/settings.js';
import type { EventFacts, IncidentView } from '../correlate/correlation-types.js';
import type { CorrelationGraph } from '../topology/topology-index.js';
import { AlertingCounts } from './alerting-counts.js';
import { OPEN_INCIDENT_STATUSES, type IncidentStatus } from './incident-spec.js';

/** An incident the automation can still act on (open or monitoring), as kept in memory. */
export interface IncidentState extends IncidentView {
  status: string;
  severity: Severity;
  readonly services: Set<number>;
  readonly context: Set<number>;
  readonly groups: Array<Set<number>>;
  readonly devices: Set<number>;
  readonly vms: Set<number>;
  lastEventAt: number;
  resolvedAt: number | null;
  title: string;
  titleAuto: boolean;
  /** Opened by the automation (not split off by a person): the automation may merge it. */
  readonly autoCreated: boolean;
  statusBeforeResolve: string | null;
  rootCauses: number[];
}

/**
 * How many incidents on one service, below one upstream service or on one host are kept as
 * candidates: the most recently active ones. Incidents related to an event through the same
 * service score alike but for their age (and severity), so the newest are the ones that can
 * win; this bounds the cost of an event however many incidents are open.
 */
export const RECENT_PER_CAUSE = 16;

/** Most candidates an event scores: the strongest and newest relations first. */
export const MAX_CANDIDATES = 24;

/** Most pairs of incidents remembered as judged apart (see IncidentIndex.judgedApart). */
const MAX_APART_PAIRS = 100_000;

/** What an incident contributes to the indexes, remembered to take back exactly that. */
interface Indexed {
  services: Set<number>;
  /** Services it is indexed under in `covering`: its own, its groups', and their upstreams. */
  covered: Set<number>;
  /** Services counted as alerting (not context). */
  alerting: Set<number>;
  devices: Set<number>;
  vms: Set<number>;
  open: boolean;
  /** The sizes of what it listed when last indexed, and the touch that put it in front. */
  footprint: string;
  touch: number;
  /** The keys of the recent lists it belongs to, worked out when its footprint changes. */
  recent: RecentKeys;
}

/** The keys of each recent list an incident is on. */
interface RecentKeys {
  readonly services: readonly number[];
  readonly upstreams: readonly number[];
  readonly hosts: readonly number[];
  readonly clusters: readonly number[];
}

const NO_KEYS: RecentKeys = { services: [], upstreams: [], hosts: [], clusters: [] };

/** What an incident lists, in sizes: its lists only grow while it is active. */
const footprintOf = (s: IncidentState) =>
  `${s.services.size}/${s.context.size}/${s.groups.length}/${s.devices.size}/${s.vms.size}`;

function add(map: Map<number, Set<number>>, key: number, id: number): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([id]));
  else set.add(id);
}

function remove(map: Map<number, Set<number>>, key: number, id: number): void {
  const set = map.get(key);
  set?.delete(id);
  if (set?.size === 0) map.delete(key);
}

/** Moves `id` to the front of a short most-recent-first list. */
function touch(map: Map<number, number[]>, key: number, id: number): void {
  const list = map.get(key) ?? [];
  if (list[0] === id) return;
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1);
  list.unshift(id);
  if (list.length > RECENT_PER_CAUSE) list.length = RECENT_PER_CAUSE;
  map.set(key, list);
}

const isOpen = (status: string) => OPEN_INCIDENT_STATUSES.includes(status as IncidentStatus);

/**
 * Open and monitoring incidents in memory: for each service, each upstream service and each VM
 * host, the most recently active incidents on or below it; for each device and VM, all of its
 * incidents. An event finds its candidates there without scanning incidents, at a cost bounded
 * by its own neighbourhood. `version` mirrors incident_version.
 */
export class IncidentIndex {
  readonly incidents = new Map<number, IncidentState>();
  /** What is alerting across the open incidents. */
  readonly alerting: AlertingCounts;
  private readonly recentOnService = new Map<number, number[]>();
  private readonly covering = new Map<number, Set<number>>();
  private readonly byDevice = new Map<number, Set<number>>();
  private readonly byVm = new Map<number, Set<number>>();
  private readonly recentBelow = new Map<number, number[]>();
  private readonly recentOnHost = new Map<number, number[]>();
  private readonly recentInCluster = new Map<number, number[]>();
  private readonly indexed = new Map<number, Indexed>();
  /** Counts the incidents put in front of their lists. */
  private touches = 0;
  /** Pairs of incidents judged apart, with what they and the alerting counts were then. */
  private readonly apart = new Map<string, string>();

  constructor(
    public version: number,
    private readonly graph: CorrelationGraph,
  ) {
    this.alerting = new AlertingCounts(graph);
  }

  get(id: number): IncidentState | undefined {
    return this.incidents.get(id);
  }

  /** Adds an incident, or indexes what it gained (services only grow while it is active). */
  put(state: IncidentState): void {
    let indexed = this.indexed.get(state.id);
    if (indexed !== undefined && indexed.open !== isOpen(state.status)) {
      this.drop(state.id);
      indexed = undefined;
    }
    if (indexed === undefined) {
      indexed = {
        services: new Set(),
        covered: new Set(),
        alerting: new Set(),
        devices: new Set(),
        vms: new Set(),
        open: isOpen(state.status),
        footprint: '',
        touch: -1,
        recent: NO_KEYS,
      };
      this.indexed.set(state.id, indexed);
    }
    this.incidents.set(state.id, state);
    // In a storm one incident takes alert after alert: unchanged, and still in front of every
    // list it is on when no other incident went in front since, it needs nothing done again.
    const footprint = footprintOf(state);
    if (footprint === indexed.footprint && indexed.touch === this.touches) return;
    if (footprint !== indexed.footprint) {
      this.indexMembers(state, indexed);
      indexed.recent = this.recentKeys(state);
    }
    this.touchRecent(state.id, indexed.recent);
    indexed.footprint = footprint;
    indexed.touch = ++this.touches;
  }

  private indexMembers(state: IncidentState, indexed: Indexed): void {
    const id = state.id;
    for (const service of state.services) {
      indexed.services.add(service);
      if (state.context.has(service) || indexed.alerting.has(service)) continue;
      indexed.alerting.add(service);
      if (indexed.open) this.alerting.addService(service, 1);
    }
    this.indexCovered(state, indexed);
    for (const device of state.devices) {
      if (indexed.devices.has(device)) continue;
      indexed.devices.add(device);
      add(this.byDevice, device, id);
    }
    for (const vm of state.vms) {
      if (indexed.vms.has(vm)) continue;
      indexed.vms.add(vm);
      add(this.byVm, vm, id);
      if (indexed.open) this.alerting.addVm(vm, 1);
    }
  }

  /** Every incident, exactly, by the services on or above what it lists (for merging). */
  private indexCovered(state: IncidentState, indexed: Indexed): void {
    const mark = (service: number) => {
      if (indexed.covered.has(service)) return;
      indexed.covered.add(service);
      add(this.covering, service, state.id);
    };
    const own = [...state.services, ...state.groups.flatMap((g) => [...g])];
    for (const service of own) {
      if (indexed.covered.has(service)) continue;
      mark(service);
      for (const upstream of this.graph.upstream(service).keys()) mark(upstream);
    }
  }

  /** The keys of the recent lists `state` belongs to. */
  private recentKeys(state: IncidentState): RecentKeys {
    // Services of its infrastructure groups count as its own: it explains them.
    const services = new Set<number>(state.services);
    for (const group of state.groups) group.forEach((s) => services.add(s));
    const upstreams = new Set<number>();
    for (const service of services) {
      for (const upstream of this.graph.upstream(service).keys()) upstreams.add(upstream);
    }
    const hosts = new Set<number>(state.devices);
    const clusters = new Set<number>();
    for (const vm of state.vms) {
      const host = this.graph.hostOf(vm);
      if (host !== null) hosts.add(host);
      const cluster = this.graph.clusterOf(vm);
      if (cluster !== null) clusters.add(cluster);
    }
    return {
      services: [...services],
      upstreams: [...upstreams],
      hosts: [...hosts],
      clusters: [...clusters],
    };
  }

  /** The incident was just active: it goes to the front of every list it belongs to. */
  private touchRecent(id: number, keys: RecentKeys): void {
    for (const service of keys.services) touch(this.recentOnService, service, id);
    for (const upstream of keys.upstreams) touch(this.recentBelow, upstream, id);
    for (const host of keys.hosts) touch(this.recentOnHost, host, id);
    for (const cluster of keys.clusters) touch(this.recentInCluster, cluster, id);
  }

  /**
   * Whether `a` and `b` were judged apart on their evidence (see noteApart) and nothing that
   * judgement read has changed since: what either lists (its lists only grow while active)
   * and the alerting counts.
   */
  judgedApart(a: IncidentState, b: IncidentState): boolean {
    return this.apart.get(`${a.id}:${b.id}`) === this.apartStamp(a, b);
  }

  /** Remembers that `a` and `b` are not one failure, as things stand. */
  noteApart(a: IncidentState, b: IncidentState): void {
    // Bounded: emptied when full, and rebuilt by the judgements that follow.
    if (this.apart.size >= MAX_APART_PAIRS) this.apart.clear();
    this.apart.set(`${a.id}:${b.id}`, this.apartStamp(a, b));
  }

  private apartStamp(a: IncidentState, b: IncidentState): string {
    return `${footprintOf(a)}|${footprintOf(b)}|${this.alerting.version}`;
  }

  /** Forgets an incident (resolved, closed, merged or deleted). */
  drop(id: number): void {
    const indexed = this.indexed.get(id);
    if (indexed === undefined) return;
    for (const service of indexed.alerting) {
      if (indexed.open) this.alerting.addService(service, -1);
    }
    for (const service of indexed.covered) remove(this.covering, service, id);
    for (const device of indexed.devices) remove(this.byDevice, device, id);
    for (const vm of indexed.vms) {
      remove(this.byVm, vm, id);
      if (indexed.open) this.alerting.addVm(vm, -1);
    }
    // The recent lists are cleaned lazily: candidates() skips ids no longer present.
    this.indexed.delete(id);
    this.incidents.delete(id);
  }

  /** Every incident listing one of the services or something that depends on one of them. */
  onOrBelow(services: Iterable<number>): IncidentState[] {
    const ids = new Set<number>();
    const out: IncidentState[] = [];
    for (const service of services) {
      for (const id of this.covering.get(service) ?? []) {
        if (ids.has(id)) continue;
        ids.add(id);
        const state = this.incidents.get(id);
        if (state !== undefined) out.push(state);
      }
    }
    return out;
  }

  /**
   * Incidents that could relate to the event, strongest relation first and at most
   * MAX_CANDIDATES: on its devices and VMs; on its services; on its upstreams, nearest first;
   * below its services; below an upstream that `sharedUpstream` accepts; on the hosts and
   * clusters of its VMs. The cost of an event is thus bounded however many incidents are open.
   */
  candidates(
    event: EventFacts,
    sharedUpstream: (upstream: number) => boolean = () => true,
  ): IncidentState[] {
    const out = new Map<number, IncidentState>();
    const collect = (list: Iterable<number> | undefined) => {
      for (const id of list ?? []) {
        if (out.size >= MAX_CANDIDATES) return;
        const state = this.incidents.get(id);
        if (state !== undefined) out.set(id, state);
      }
    };
    // Strongest relations first, so that the cap drops only the weakest and oldest.
    for (const device of event.devices) collect(this.byDevice.get(device));
    for (const vm of event.vms) collect(this.byVm.get(vm));
    for (const service of event.services) collect(this.recentOnService.get(service));
    for (const service of event.services) {
      // Upstream closures are ordered nearest first.
      for (const upstream of this.graph.upstream(service).keys()) {
        collect(this.recentOnService.get(upstream));
      }
      collect(this.recentBelow.get(service));
    }
    for (const service of event.services) {
      for (const upstream of this.graph.upstream(service).keys()) {
        if (sharedUpstream(upstream)) collect(this.recentBelow.get(upstream));
      }
    }
    for (const device of event.devices) collect(this.recentOnHost.get(device));
    for (const vm of event.vms) {
      const host = this.graph.hostOf(vm);
      if (host !== null) collect(this.recentOnHost.get(host));
      const cluster = this.graph.clusterOf(vm);
      if (cluster !== null) collect(this.recentInCluster.get(cluster));
    }
    return [...out.values()];
  }
}

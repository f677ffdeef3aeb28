import type { Severity } from '../config/settings.js';
import type { EventFacts, IncidentView } from '../correlate/correlation-types.js';
import type { DependencyView } from '../topology/topology-index.js';

/** An incident the automation can still act on (open or monitoring), as kept in memory. */
export interface IncidentState extends IncidentView {
  status: string;
  severity: Severity;
  readonly services: Set<number>;
  readonly devices: Set<number>;
  readonly vms: Set<number>;
  lastEventAt: number;
  resolvedAt: number | null;
  title: string;
  titleAuto: boolean;
  statusBeforeResolve: string | null;
  rootCauses: number[];
}

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

/**
 * Open and monitoring incidents in memory, indexed by service, by upstream of their services,
 * by device and by VM, so that an event finds its candidates without scanning incidents.
 * `version` is the incident_version counter it mirrors.
 */
export class IncidentIndex {
  readonly incidents = new Map<number, IncidentState>();
  private readonly byService = new Map<number, Set<number>>();
  private readonly byUpstream = new Map<number, Set<number>>();
  private readonly byDevice = new Map<number, Set<number>>();
  private readonly byVm = new Map<number, Set<number>>();

  constructor(
    public version: number,
    private readonly graph: DependencyView,
  ) {}

  get(id: number): IncidentState | undefined {
    return this.incidents.get(id);
  }

  /** Adds or re-indexes an incident after its services, devices or VMs changed. */
  put(state: IncidentState): void {
    this.drop(state.id);
    this.incidents.set(state.id, state);
    for (const service of state.services) {
      add(this.byService, service, state.id);
      for (const upstream of this.graph.upstream(service).keys()) {
        add(this.byUpstream, upstream, state.id);
      }
    }
    for (const device of state.devices) add(this.byDevice, device, state.id);
    for (const vm of state.vms) add(this.byVm, vm, state.id);
  }

  /** Forgets an incident (it was resolved, closed or deleted). */
  drop(id: number): void {
    const state = this.incidents.get(id);
    if (state === undefined) return;
    for (const service of state.services) {
      remove(this.byService, service, id);
      for (const upstream of this.graph.upstream(service).keys()) {
        remove(this.byUpstream, upstream, id);
      }
    }
    for (const device of state.devices) remove(this.byDevice, device, id);
    for (const vm of state.vms) remove(this.byVm, vm, id);
    this.incidents.delete(id);
  }

  /**
   * Incidents that could relate to the event: on its services, on services up- or downstream of
   * them within the depth, on services sharing an upstream with them, or on its devices and VMs.
   */
  candidates(event: EventFacts): IncidentState[] {
    const ids = new Set<number>();
    const collect = (set: Set<number> | undefined) => set?.forEach((id) => ids.add(id));
    for (const service of event.services) {
      collect(this.byService.get(service));
      collect(this.byUpstream.get(service));
      for (const upstream of this.graph.upstream(service).keys()) {
        collect(this.byService.get(upstream));
        collect(this.byUpstream.get(upstream));
      }
    }
    for (const device of event.devices) collect(this.byDevice.get(device));
    for (const vm of event.vms) collect(this.byVm.get(vm));
    return [...ids].map((id) => this.incidents.get(id)!);
  }
}

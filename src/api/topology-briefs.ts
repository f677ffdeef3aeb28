import type { ResourceRegistry } from '../store/resource-registry.js';
import type { IncidentState } from '../incidents/incident-index.js';
import type { DependencyEdge, TopologyIndex } from '../topology/topology-index.js';
import { briefOf, type ApiObject } from './resource-serializer.js';

/**
 * Brief nested objects (`{id, url, display, name}`, appcode too for applications) built from
 * the in-memory topology, so that a view over many services costs no query per object. An
 * object the topology no longer holds is named `#id`.
 */
export class TopologyBriefs {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly topology: TopologyIndex,
    readonly base: string,
  ) {}

  service(id: number): ApiObject {
    return this.brief('technical-services', id, this.topology.services.get(id)?.name);
  }

  device(id: number): ApiObject {
    return this.brief('devices', id, this.topology.devices.get(id)?.name);
  }

  vm(id: number): ApiObject {
    return this.brief('virtual-machines', id, this.topology.vms.get(id)?.name);
  }

  cluster(id: number): ApiObject {
    return this.brief('clusters', id, this.topology.clusters.get(id)?.name);
  }

  app(id: number): ApiObject {
    const app = this.topology.apps.get(id);
    const row = { id, appcode: app?.appcode ?? `#${id}`, name: app?.name ?? `#${id}` };
    return briefOf(this.registry.spec('business-applications'), row, this.base);
  }

  /** The object a maintenance window, an event or a change points at. */
  target(type: string, id: number): ApiObject {
    switch (type) {
      case 'device':
        return this.device(id);
      case 'virtual_machine':
        return this.vm(id);
      case 'cluster':
        return this.cluster(id);
      case 'business_application':
        return this.app(id);
      default:
        return this.service(id);
    }
  }

  /** A dependency seen from one end: its id, name and type. */
  dependency(edge: DependencyEdge): ApiObject {
    const spec = this.registry.spec('service-dependencies');
    return {
      ...briefOf(spec, { id: edge.dependency, name: edge.name }, this.base),
      dependency_type: edge.type,
    };
  }

  /** An open or monitoring incident as the automation holds it. */
  incident(state: IncidentState): ApiObject {
    const { id, title, status, severity } = state;
    return briefOf(this.registry.spec('incidents'), { id, title, status, severity }, this.base);
  }

  private brief(resource: string, id: number, name: string | undefined): ApiObject {
    return briefOf(this.registry.spec(resource), { id, name: name ?? `#${id}` }, this.base);
  }
}

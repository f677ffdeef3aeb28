import { TopologyIndex } from '../src/topology/topology-index.js';
import type { GeneratedTopology } from './topology-generator.js';

/** The in-memory index of a generated topology, as the server would load it. */
export function indexOf(t: GeneratedTopology, maxDepth: number): TopologyIndex {
  const index = new TopologyIndex(1, maxDepth);
  for (const c of t.clusters) index.clusters.set(c.id, c);
  for (const d of t.devices) index.addDevice(d.id, d.name, d.clusterId);
  for (const v of t.vms) index.addVm(v.id, v.name, v.clusterId, v.deviceId);
  for (const s of t.services) index.addService(s.id, s.name);
  for (const d of t.dependencies) index.addDependency(d.id, d.up, d.down, d.type, d.name);
  for (const [s, d] of t.serviceDevices) index.linkService(s, 'device', d);
  for (const [s, v] of t.serviceVms) index.linkService(s, 'vm', v);
  for (const [s, c] of t.serviceClusters) index.linkService(s, 'cluster', c);
  for (const app of t.apps) {
    index.apps.set(app.id, { id: app.id, appcode: app.appcode, name: app.name });
    for (const s of app.services) index.linkService(s, 'app', app.id);
  }
  index.indexNames();
  return index;
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  create,
  device,
  eventSource,
  ids,
  incidents,
  names,
  send,
  service,
} from './automation-fixtures.js';

/**
 * A cluster k8s-prod with vm-a (hosted on hv-01) and vm-b; vm-c outside it. Each service lists
 * one object: svc-vm-a, svc-vm-b, svc-vm-c, svc-cluster (the cluster), svc-host (hv-01).
 */
interface VirtualTopology {
  readonly source: any;
  readonly cluster: any;
  readonly host: any;
  readonly vmA: any;
  readonly vmB: any;
  readonly vmC: any;
}

describe.each(engines())('cluster, VM and device targets on %s', (engine) => {
  let h: Harness;
  let t: VirtualTopology;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    t = await virtualTopology();
  });
  afterAll(async () => {
    await h.close();
  });

  async function virtualTopology(): Promise<VirtualTopology> {
    const cluster = await create(h, PATHS.clusters, { name: 'k8s-prod' });
    const host = await device(h, 'hv-01');
    const vm = (name: string, extra: Record<string, unknown>) =>
      create(h, PATHS.virtualMachines, { name, ...extra });
    const vmA = await vm('vm-a', { cluster: cluster.id, device: host.id });
    const vmB = await vm('vm-b', { cluster: cluster.id });
    const vmC = await vm('vm-c', {});
    await service(h, 'svc-vm-a', { vms: [vmA.id] });
    await service(h, 'svc-vm-b', { vms: [vmB.id] });
    await service(h, 'svc-vm-c', { vms: [vmC.id] });
    await service(h, 'svc-cluster', { clusters: [cluster.id] });
    await service(h, 'svc-host', { devices: [host.id] });
    const source = await eventSource(h);
    return { source, cluster, host, vmA, vmB, vmC };
  }

  async function incidentFor(on: [string, number], dedup = 'alert'): Promise<any> {
    const event = await send(h, { source: t.source.id, dedup, on });
    expect(event.correlation.action).toBe('created');
    const all = await incidents(h);
    return all.find((i) => i.id === event.correlation.incident_id);
  }

  const sortedNames = (objects: any[]) => names(objects).sort();

  it('gives a VM alert the services listing the VM or its cluster', async () => {
    const incident = await incidentFor(['virtual_machine', t.vmA.id]);

    expect(sortedNames(incident.affected_services)).toEqual(['svc-cluster', 'svc-vm-a']);
    expect(ids(incident.affected_virtual_machines)).toEqual([t.vmA.id]);
    expect(incident.affected_devices).toEqual([]);
    // One VM's alert says nothing about the cluster's service: affected, not a root cause.
    expect(incident.title).toBe('Service disruption affecting svc-vm-a');
    expect(names(incident.root_cause_services)).toEqual(['svc-vm-a']);
  });

  it('does not take a cluster service as the root cause of one VM without its own', async () => {
    const vmD = await create(h, PATHS.virtualMachines, { name: 'vm-d', cluster: t.cluster.id });
    const message = 'vm-d unreachable';

    const event = await send(h, {
      source: t.source.id,
      dedup: 'vm-d',
      on: ['virtual_machine', vmD.id],
      message,
    });

    const [incident] = await incidents(h);
    expect(incident).toMatchObject({
      id: event.correlation.incident_id,
      title: `Infrastructure alert: ${message}...`,
      root_cause_services: [],
    });
    expect(names(incident.affected_services)).toEqual(['svc-cluster']);
  });

  it('gives a cluster alert the services listing the cluster or any of its VMs', async () => {
    const incident = await incidentFor(['cluster', t.cluster.id]);

    expect(sortedNames(incident.affected_services)).toEqual([
      'svc-cluster',
      'svc-vm-a',
      'svc-vm-b',
    ]);
    expect(ids(incident.affected_virtual_machines).sort()).toEqual([t.vmA.id, t.vmB.id].sort());
    expect(incident.affected_devices).toEqual([]);
    expect(incident.title).toBe('Service disruption affecting svc-cluster, svc-vm-a and 1 others');
  });

  it('gives a device alert the services listing it or a VM it hosts', async () => {
    const incident = await incidentFor(['device', t.host.id]);

    expect(sortedNames(incident.affected_services)).toEqual(['svc-host', 'svc-vm-a']);
    expect(ids(incident.affected_devices)).toEqual([t.host.id]);
    expect(incident.affected_virtual_machines).toEqual([]);
  });

  it('joins a cluster alert to a VM incident, counting the shared VM', async () => {
    await incidentFor(['virtual_machine', t.vmA.id], 'vm-a-down');

    const cluster = await send(h, {
      source: t.source.id,
      dedup: 'cluster-degraded',
      on: ['cluster', t.cluster.id],
      criticality: 'critical',
    });

    expect(cluster.correlation).toMatchObject({
      action: 'joined',
      score: 1,
      components: {
        service_overlap: 0.8,
        dependency: 0.6,
        infrastructure: 0.2,
        time_factor: 1,
        severity_bonus: 0,
      },
    });
    const [incident] = await incidents(h);
    expect(sortedNames(incident.affected_services)).toEqual([
      'svc-cluster',
      'svc-vm-a',
      'svc-vm-b',
    ]);
    expect(ids(incident.affected_virtual_machines).sort()).toEqual([t.vmA.id, t.vmB.id].sort());
  });

  it('keeps an alert on a VM outside the cluster apart', async () => {
    const first = await incidentFor(['virtual_machine', t.vmA.id], 'vm-a-down');

    const other = await incidentFor(['virtual_machine', t.vmC.id], 'vm-c-down');

    expect(other.id).not.toBe(first.id);
    expect(names(other.affected_services)).toEqual(['svc-vm-c']);
  });

  it('names an alert on a device without services an infrastructure alert', async () => {
    const bare = await device(h, 'switch-07');
    const message = 'Port channel 12 on switch-07 lost two of its four members at once';

    const event = await send(h, {
      source: t.source.id,
      dedup: 'po12',
      on: ['device', bare.id],
      message,
    });

    const [incident] = await incidents(h);
    expect(incident).toMatchObject({
      id: event.correlation.incident_id,
      title: `Infrastructure alert: ${message.slice(0, 50)}...`,
      description: `Auto-generated incident from event: ${message}`,
      affected_services: [],
      root_cause_services: [],
    });
    expect(ids(incident.affected_devices)).toEqual([bare.id]);
  });

  it('joins alerts on one bare device through the shared device alone', async () => {
    const bare = await device(h, 'switch-07');
    const other = await device(h, 'switch-08');
    const first = await send(h, { source: t.source.id, dedup: 'po12', on: ['device', bare.id] });

    const second = await send(h, {
      source: t.source.id,
      dedup: 'fan',
      on: ['device', bare.id],
      criticality: 'low',
    });
    const elsewhere = await send(h, { source: t.source.id, dedup: 'x', on: ['device', other.id] });

    expect(second.correlation).toMatchObject({
      action: 'joined',
      incident_id: first.correlation.incident_id,
      score: 0.4,
      components: { service_overlap: 0, dependency: 0, infrastructure: 0.4 },
    });
    expect(elsewhere.correlation).toMatchObject({ action: 'created', candidates: [] });
    expect(await incidents(h)).toHaveLength(2);
  });
});

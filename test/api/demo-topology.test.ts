import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadDemoTopology } from '../../src/topology/demo-loader.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS } from './api-fixtures.js';

describe.each(engines())('the demo topology on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(async () => {
    await h.close();
  });

  const all = async (path: string): Promise<any[]> =>
    (await h.call('GET', `${path}?limit=1000`)).body.results;

  it('loads what the README promises', async () => {
    const result = await loadDemoTopology(h.faultline.registry, h.faultline.writer);

    expect(result.counts).toEqual({
      business_applications: 4,
      technical_services: 21,
      service_dependencies: 44,
      devices: 24,
      virtual_machines: 12,
      clusters: 2,
    });
  });

  it('hosts virtual machines on the devices of each cluster, used by services', async () => {
    const devices = new Map((await all(PATHS.devices)).map((d) => [d.id, d]));
    const vms = await all(PATHS.virtualMachines);
    const services = await all(PATHS.technicalServices);

    for (const cluster of await all(PATHS.clusters)) {
      const hosted = vms.filter((vm) => vm.cluster?.id === cluster.id);
      expect(hosted.length, cluster.name).toBeGreaterThanOrEqual(3);
      for (const vm of hosted) {
        expect(devices.get(vm.device.id).cluster.id, vm.name).toBe(cluster.id);
      }
      const ids = new Set(hosted.map((vm) => vm.id));
      const users = services.filter((s) => s.vms.some((vm: any) => ids.has(vm.id)));
      expect(users.length, cluster.name).toBeGreaterThan(0);
    }
  });
});

import { Random } from './random.js';

export interface GeneratedService {
  readonly id: number;
  readonly name: string;
  readonly layer: number;
}

export interface GeneratedDependency {
  readonly id: number;
  readonly up: number;
  readonly down: number;
  readonly type: 'normal' | 'redundancy';
  readonly name: string;
}

/** A NetBox-like estate: ids are 1-based and dense per kind. */
export interface GeneratedTopology {
  readonly services: GeneratedService[];
  readonly dependencies: GeneratedDependency[];
  readonly clusters: Array<{ id: number; name: string }>;
  readonly devices: Array<{ id: number; name: string; clusterId: number | null }>;
  readonly vms: Array<{ id: number; name: string; clusterId: number; deviceId: number }>;
  readonly serviceDevices: Array<[service: number, device: number]>;
  readonly serviceVms: Array<[service: number, vm: number]>;
  readonly serviceClusters: Array<[service: number, cluster: number]>;
  readonly apps: Array<{ id: number; appcode: string; name: string; services: number[] }>;
}

export interface TopologyShape {
  readonly services: number;
  /** Devices per service, on average (hypervisors included). */
  readonly devicesPerService?: number;
  readonly seed: number;
}

/** Layer names, bottom up: broad shared infrastructure first, front ends last. */
export const LAYERS = ['infra', 'platform', 'core', 'api', 'web'] as const;

function layerSizes(total: number): number[] {
  const infra = Math.max(3, Math.round(total * 0.002));
  const platform = Math.max(3, Math.round(total * 0.1));
  const core = Math.max(3, Math.round(total * 0.25));
  const api = Math.max(3, Math.round(total * 0.33));
  return [infra, platform, core, api, Math.max(1, total - infra - platform - core - api)];
}

function buildServices(total: number): GeneratedService[][] {
  const layers: GeneratedService[][] = [];
  let id = 1;
  layerSizes(total).forEach((size, layer) => {
    const list: GeneratedService[] = [];
    for (let i = 0; i < size; i++, id++) {
      list.push({ id, name: `${LAYERS[layer]}-${String(i + 1).padStart(5, '0')}`, layer });
    }
    layers.push(list);
  });
  return layers;
}

/**
 * Each service above the infrastructure depends on 2 to 4 services of lower layers, mostly
 * the layer just below; platform services also on one broad infrastructure service; one in
 * ten has a redundant pair instead of a single upstream.
 */
function buildDependencies(layers: GeneratedService[][], random: Random): GeneratedDependency[] {
  const out: GeneratedDependency[] = [];
  const seen = new Set<string>();
  const add = (up: number, down: number, type: 'normal' | 'redundancy', name: string) => {
    if (seen.has(`${up}:${down}`)) return;
    seen.add(`${up}:${down}`);
    out.push({ id: out.length + 1, up, down, type, name });
  };
  for (let layer = 1; layer < layers.length; layer++) {
    for (const service of layers[layer]!) {
      const below = layers[layer - 1]!;
      if (random.chance(0.1) && below.length >= 2) {
        const [a, b] = random.sample(below, 2);
        add(a!.id, service.id, 'redundancy', `${service.name}-redundant`);
        add(b!.id, service.id, 'redundancy', `${service.name}-redundant`);
      }
      for (const up of random.sample(below, random.int(2, 3))) {
        add(up.id, service.id, 'normal', `${service.name} on ${up.name}`);
      }
      if (layer >= 2 && random.chance(0.5)) {
        const far = random.pick(layers[random.int(1, layer - 1)]!);
        add(far.id, service.id, 'normal', `${service.name} on ${far.name}`);
      }
      if (layer === 1) {
        const infra = random.pick(layers[0]!);
        add(infra.id, service.id, 'normal', `${service.name} on ${infra.name}`);
      }
    }
  }
  return out;
}

/** Generates a reproducible topology of the given size. */
export function generateTopology(shape: TopologyShape): GeneratedTopology {
  const random = new Random(shape.seed);
  const layers = buildServices(shape.services);
  const services = layers.flat();
  const dependencies = buildDependencies(layers, random);

  const totalDevices = Math.round(services.length * (shape.devicesPerService ?? 5));
  const hypervisors = Math.max(2, Math.round(totalDevices / 5));
  const clusters = Array.from({ length: Math.ceil(hypervisors / 20) }, (_, i) => ({
    id: i + 1,
    name: `cluster-${i + 1}`,
  }));
  const devices: GeneratedTopology['devices'] = [];
  for (let i = 0; i < totalDevices; i++) {
    const hypervisor = i < hypervisors;
    devices.push({
      id: i + 1,
      name: `${hypervisor ? 'hv' : 'host'}-${String(i + 1).padStart(6, '0')}`,
      clusterId: hypervisor ? Math.floor(i / 20) + 1 : null,
    });
  }

  const serviceDevices: Array<[number, number]> = [];
  const physical = layers.slice(0, 3).flat();
  for (let d = hypervisors; d < totalDevices; d++) {
    serviceDevices.push([random.pick(physical).id, d + 1]);
  }
  const vms: GeneratedTopology['vms'] = [];
  const serviceVms: Array<[number, number]> = [];
  for (const service of layers.slice(3).flat()) {
    for (let k = random.int(1, 2); k > 0; k--) {
      const host = devices[random.int(0, hypervisors - 1)]!;
      const vm = {
        id: vms.length + 1,
        name: `vm-${vms.length + 1}`,
        clusterId: host.clusterId!,
        deviceId: host.id,
      };
      vms.push(vm);
      serviceVms.push([service.id, vm.id]);
    }
  }
  const serviceClusters: Array<[number, number]> = layers[0]!
    .slice(0, Math.min(layers[0]!.length, clusters.length))
    .map((s, i) => [s.id, clusters[i]!.id]);

  const web = layers[4]!;
  const apps = Array.from({ length: Math.max(1, Math.round(web.length / 10)) }, (_, i) => ({
    id: i + 1,
    appcode: `APP${i + 1}`,
    name: `Application ${i + 1}`,
    services: web.slice(i * 10, i * 10 + 10).map((s) => s.id),
  }));

  return {
    services,
    dependencies,
    clusters,
    devices,
    vms,
    serviceDevices,
    serviceVms,
    serviceClusters,
    apps,
  };
}

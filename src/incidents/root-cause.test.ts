import { describe, expect, it } from 'vitest';

import { TopologyIndex } from '../topology/topology-index.js';
import { incidentTitle, rootCauses } from './root-cause.js';

/**
 * storage(1) → db(2) → api(3) → web(4); storage(1) → cache(5); lonely(6) stands alone;
 * ring-a(20) ⇄ ring-b(21) form a cycle; chain 10 → 11 → … → 16 is six hops long.
 */
function graph(depth = 5): TopologyIndex {
  const index = new TopologyIndex(1, depth);
  ['storage', 'db', 'api', 'web', 'cache', 'lonely'].forEach((name, i) =>
    index.addService(i + 1, name),
  );
  index.addService(20, 'ring-a');
  index.addService(21, 'ring-b');
  for (let id = 10; id <= 16; id++) index.addService(id, `chain-${id}`);
  const edges: Array<[number, number]> = [
    [1, 2],
    [2, 3],
    [3, 4],
    [1, 5],
    [20, 21],
    [21, 20],
    [10, 11],
    [11, 12],
    [12, 13],
    [13, 14],
    [14, 15],
    [15, 16],
  ];
  edges.forEach(([up, down], i) => index.addDependency(i + 1, up, down, 'normal', `d${i}`));
  return index;
}

describe('rootCauses', () => {
  const g = graph();

  it.each([
    { case: 'the upstream end of a chain', services: [4, 3, 2], roots: [2] },
    { case: 'an upstream reached transitively', services: [4, 1], roots: [1] },
    { case: 'siblings whose shared upstream is not affected', services: [2, 5], roots: [5, 2] },
    { case: 'unrelated services, ordered by name', services: [4, 6, 5], roots: [5, 6, 4] },
    { case: 'services further apart than the depth', services: [16, 10], roots: [10, 16] },
    { case: 'every service of a cycle', services: [21, 20], roots: [20, 21] },
    { case: 'one service', services: [3], roots: [3] },
    { case: 'nothing without services', services: [], roots: [] },
  ])('names $case', ({ services, roots }) => {
    expect(rootCauses(services, g)).toEqual(roots);
  });

  it('ignores duplicates in the services given', () => {
    expect(rootCauses([3, 2, 3, 2], g)).toEqual([2]);
  });
});

describe('incidentTitle', () => {
  const g = graph();
  const message = 'Port channel 12 on switch-07 lost two of its four members at once';

  it('names one root cause', () => {
    expect(incidentTitle([2], g, message)).toBe('Service disruption affecting db');
  });

  it('names two root causes in the order given', () => {
    expect(incidentTitle([5, 2], g, message)).toBe('Service disruption affecting cache, db');
  });

  it('names the first two of three or more and counts the others', () => {
    expect(incidentTitle([5, 2, 6], g, message)).toBe(
      'Service disruption affecting cache, db and 1 others',
    );
    expect(incidentTitle([5, 2, 6, 4], g, message)).toBe(
      'Service disruption affecting cache, db and 2 others',
    );
  });

  it('names a service missing from the topology by its id', () => {
    expect(incidentTitle([99], g, message)).toBe('Service disruption affecting #99');
  });

  it('makes an infrastructure title of the first 50 characters without a root cause', () => {
    const title = incidentTitle([], g, message);

    expect(title).toBe(
      'Infrastructure alert: Port channel 12 on switch-07 lost two of its four ...',
    );
    expect(title.slice('Infrastructure alert: '.length, -3)).toBe(message.slice(0, 50));
  });

  it('keeps a short message whole in an infrastructure title', () => {
    expect(incidentTitle([], g, 'disk full')).toBe('Infrastructure alert: disk full...');
  });
});

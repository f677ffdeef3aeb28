import { TopologyIndex } from '../../src/topology/topology-index.js';

/**
 * A small layered dependency graph for property tests: 4 roots, 12 middles and 36 leaves
 * (services 1–52), each below one or two services of the layer above.
 */
export function layeredGraph(): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  for (let id = 1; id <= 52; id++) index.addService(id, `s${id}`);
  let dep = 0;
  const link = (up: number, down: number) =>
    index.addDependency(++dep, up, down, 'normal', `d${dep}`);
  for (let m = 5; m <= 16; m++) {
    link(1 + (m % 4), m);
    if (m % 3 === 0) link(1 + ((m + 1) % 4), m);
  }
  for (let leaf = 17; leaf <= 52; leaf++) {
    link(5 + (leaf % 12), leaf);
    if (leaf % 5 === 0) link(5 + ((leaf + 7) % 12), leaf);
  }
  return index;
}

/** A deterministic pseudo-random sequence in [0, 1) (Park–Miller). */
export function sequence(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

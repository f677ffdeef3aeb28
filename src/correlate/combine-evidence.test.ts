import { describe, expect, it } from 'vitest';

import { TopologyIndex } from '../topology/topology-index.js';
import { combineEvidence, gatherEvidence } from './hypothesis.js';

/** Layers of 4, 12 and 36 services, each below one or two of the layer above. */
function layered(): TopologyIndex {
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

function sequence(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

const sample = (next: () => number, size: number) =>
  Array.from({ length: size }, () => 1 + Math.floor(next() * 52));

describe('evidence of two incidents together', () => {
  it('is the evidence of their alerting services gathered afresh', () => {
    const graph = layered();
    const next = sequence(11);
    for (let round = 0; round < 300; round++) {
      const a = sample(next, Math.floor(next() * 4));
      const b = sample(next, 1 + Math.floor(next() * 4));
      const group = new Set(sample(next, 2));
      const groups = next() < 0.3 ? [group] : [];

      const combined = combineEvidence(
        gatherEvidence(a, graph, groups),
        gatherEvidence(b, graph, groups),
        graph,
      );
      const fresh = gatherEvidence([...a, ...b], graph, groups);

      expect(combined.alerting).toEqual(fresh.alerting);
      if (a.length > 0) expect(combined.explainers).toEqual(fresh.explainers);
      expect(combined.groups.length).toBe(fresh.groups.length);
    }
  });
});

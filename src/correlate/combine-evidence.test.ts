import { describe, expect, it } from 'vitest';

import { layeredGraph, sequence } from '../../test/support/layered-graph.js';
import { combineEvidence, gatherEvidence } from './hypothesis.js';

const sample = (next: () => number, size: number) =>
  Array.from({ length: size }, () => 1 + Math.floor(next() * 52));

describe('evidence of two incidents together', () => {
  it('is the evidence of their alerting services gathered afresh', () => {
    const graph = layeredGraph();
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

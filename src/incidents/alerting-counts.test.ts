import { describe, expect, it } from 'vitest';

import { layeredGraph, sequence } from '../../test/support/layered-graph.js';
import { viewOf, withAdded } from '../correlate/failing-dependents.js';
import { AlertingCounts } from './alerting-counts.js';

const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);

describe('alerting counts over the open incidents', () => {
  it('keeps the shown-failing lists equal to those counted afresh as services come and go', () => {
    const graph = layeredGraph();
    const counts = new AlertingCounts(graph);
    const refs = new Map<number, number>();
    const next = sequence(7);
    let shownSeen = 0;

    for (let step = 0; step < 600; step++) {
      const service = 1 + Math.floor(next() * 52);
      const listed = refs.get(service) ?? 0;
      const by = listed > 0 && next() < 0.5 ? -1 : 1;
      counts.addService(service, by);
      refs.set(service, listed + by);

      const alerting = new Set([...refs].filter(([, n]) => n > 0).map(([s]) => s));
      const fresh = viewOf(alerting, graph);
      for (let s = 1; s <= 52; s++) {
        expect(counts.isAlerting(s)).toBe(alerting.has(s));
        expect(counts.alertingDependentsOf(s)).toBe(fresh.alertingDependentsOf(s));
        expect(sorted(counts.shownDependentsOf(s))).toEqual(sorted(fresh.shownDependentsOf(s)));
        shownSeen += counts.shownDependentsOf(s).length;
      }
    }
    expect(shownSeen).toBeGreaterThan(100);
  });

  it('sees an event added to them as if its services were alerting already', () => {
    const graph = layeredGraph();
    const counts = new AlertingCounts(graph);
    const listed = [17, 29, 41, 6, 30];
    for (const s of listed) counts.addService(s, 1);
    const event = [18, 42, 30, 7];

    const view = withAdded(counts, event, graph);
    const fresh = viewOf(new Set([...listed, ...event]), graph);
    for (let s = 1; s <= 52; s++) {
      expect(view.isAlerting(s)).toBe(fresh.isAlerting(s));
      expect(view.alertingDependentsOf(s)).toBe(fresh.alertingDependentsOf(s));
      expect(sorted(view.shownDependentsOf(s))).toEqual(sorted(fresh.shownDependentsOf(s)));
    }
  });
});

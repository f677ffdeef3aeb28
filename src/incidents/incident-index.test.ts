import { describe, expect, it } from 'vitest';

import { incidentState } from '../../test/support/incident-state.js';
import { layeredGraph } from '../../test/support/layered-graph.js';
import type { EventFacts } from '../correlate/correlation-types.js';
import { IncidentIndex, type IncidentState } from './incident-index.js';

const incident = (id: number, services: number[]) => incidentState(id, services);

const onServices = (services: number[]): EventFacts => ({
  services,
  context: [],
  group: null,
  devices: [],
  vms: [],
  criticality: 'high',
  time: 0,
});

const ids = (states: readonly IncidentState[]) => states.map((s) => s.id);

/** An index over the layered test graph holding `incidents`, put in the order given. */
function indexOf(...incidents: IncidentState[]): IncidentIndex {
  const index = new IncidentIndex(1, layeredGraph());
  for (const state of incidents) index.put(state);
  return index;
}

describe('the index of open incidents', () => {
  it('puts the incident active last in front, also when it took an alert unchanged', () => {
    const a = incident(1, [17]);
    const b = incident(2, [17]);
    const index = indexOf(a, b);
    expect(ids(index.candidates(onServices([17])))).toEqual([2, 1]);

    index.put(a);
    expect(ids(index.candidates(onServices([17])))).toEqual([1, 2]);

    // Grown by a service: found through it too, in front there as well.
    b.services.add(18);
    index.put(b);
    expect(ids(index.candidates(onServices([17])))).toEqual([2, 1]);
    expect(ids(index.candidates(onServices([18])))).toEqual([2]);
  });

  it('remembers two incidents judged apart until either grows or what alerts changes', () => {
    const a = incident(1, [17]);
    const b = incident(2, [30]);
    const index = indexOf(a, b);
    expect(index.judgedApart(a, b)).toBe(false);

    index.noteApart(a, b);
    expect(index.judgedApart(a, b)).toBe(true);
    // Only in the order judged: merging is asked of the incident that took the event.
    expect(index.judgedApart(b, a)).toBe(false);
    // Taking more alerts on what it lists already changes nothing.
    index.put(a);
    expect(index.judgedApart(a, b)).toBe(true);

    b.services.add(31);
    index.put(b);
    expect(index.judgedApart(a, b)).toBe(false);

    index.noteApart(a, b);
    index.put(incident(3, [41]));
    expect(index.judgedApart(a, b)).toBe(false);
  });
});

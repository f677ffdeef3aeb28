import { describe, expect, it } from 'vitest';

import { TopologyIndex } from '../topology/topology-index.js';
import { failingDependents, failingShare, viewOf } from './failing-dependents.js';

/**
 * top(1) ← db(2) ← api1(3), api2(4), api3(5);
 * api1 ← web1(10), web2(11), web3(12); api3 ← web4(13), web5(14).
 */
function topology(): TopologyIndex {
  const index = new TopologyIndex(1, 5);
  const names: Array<[number, string]> = [
    [1, 'top'],
    [2, 'db'],
    [3, 'api1'],
    [4, 'api2'],
    [5, 'api3'],
    [10, 'web1'],
    [11, 'web2'],
    [12, 'web3'],
    [13, 'web4'],
    [14, 'web5'],
  ];
  names.forEach(([id, name]) => index.addService(id, name));
  const links: Array<[number, number]> = [
    [1, 2],
    [2, 3],
    [2, 4],
    [2, 5],
    [3, 10],
    [3, 11],
    [3, 12],
    [5, 13],
    [5, 14],
  ];
  links.forEach(([up, down], i) => index.addDependency(i + 1, up, down, 'normal', `d${i + 1}`));
  return index;
}

const failing = (cause: number, alerting: number[]) => {
  const graph = topology();
  return failingDependents(cause, viewOf(new Set(alerting), graph), graph);
};

describe('failing dependents of a silent cause', () => {
  it('counts alerting dependents', () => {
    expect(failing(2, [4])).toEqual({ total: 3, alerting: 1, shown: [] });
  });

  it('counts a silent dependent two of whose three dependents alert', () => {
    const result = failing(2, [4, 10, 11]);
    expect(result).toEqual({ total: 3, alerting: 1, shown: [3] });
    expect(failingShare(result)).toBeCloseTo(2 / 3, 6);
  });

  it('needs two alerting dependents to show a silent one failing, even when one is half', () => {
    expect(failing(2, [13]).shown).toEqual([]);
    expect(failing(2, [13, 14]).shown).toEqual([5]);
  });

  it('needs half of them: two of many alerting do not show it failing', () => {
    const graph = topology();
    for (let id = 15; id <= 18; id++) {
      graph.addService(id, `web${id}`);
      graph.addDependency(id, 3, id, 'normal', `d${id}`);
    }
    // api1 now has seven dependents, two of them alerting.
    const view = viewOf(new Set([10, 11]), graph);
    expect(failingDependents(2, view, graph).shown).toEqual([]);
  });

  it('looks one level down only: a silent dependent of a silent dependent does not count', () => {
    // web1 and web2 show api1 failing, but nothing directly below db alerts.
    expect(failing(1, [10, 11])).toEqual({ total: 1, alerting: 0, shown: [] });
  });

  it('gives a share of 0 to a service without dependents', () => {
    expect(failingShare(failing(10, [11]))).toBe(0);
  });
});

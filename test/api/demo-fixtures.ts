import { afterAll, beforeAll, beforeEach, expect } from 'vitest';

import { loadDemoTopology } from '../../src/topology/demo-loader.js';
import { START, list } from '../automation/automation-fixtures.js';
import type { EngineName } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Registers the hooks of a suite on the demo topology: starts one harness on `engine` for the
 * suite and hands it to `receive`; before each test empties it, sets the clock to START and
 * loads the demo topology; closes it after the suite.
 */
export function useDemoHarness(engine: EngineName, receive: (h: Harness) => void): void {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
    receive(h);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    await loadDemoTopology(h.faultline.registry, h.faultline.writer);
  });
  afterAll(async () => {
    await h.close();
  });
}

/** The id of a demo object by name; fails the test when there is none. */
export async function idByName(h: Harness, path: string, name: string): Promise<number> {
  const [found] = await list(h, path, `&name=${name}`);
  expect(found, `${path} ${name}`).toBeDefined();
  return found.id as number;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_SCRIPT, DemoScenario } from '../../src/events/demo-scenario.js';
import { loadDemoTopology } from '../../src/topology/demo-loader.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { AUTO_RESOLVE, PATHS, list } from './automation-fixtures.js';

describe.each(engines())('the demo storm on %s', (engine) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(engine, AUTO_RESOLVE);
    await loadDemoTopology(h.faultline.registry, h.faultline.writer);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Plays the script 500 times faster than real time until every alert has cleared. */
  async function play(): Promise<void> {
    const scenario = new DemoScenario(h.faultline.pipeline, h.faultline.logger, 0.002);
    scenario.start();
    const cleared = new Set(DEMO_SCRIPT.map((a) => a.dedupId));
    try {
      // Bounded: at most 100 polls, 50 ms apart.
      for (let poll = 0; poll < 100; poll++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const events = await list(h, PATHS.events);
        const ok = events.filter((e) => cleared.has(e.dedup_id) && e.status === 'ok');
        if (ok.length === cleared.size) return;
      }
      throw new Error('the demo alerts did not all clear');
    } finally {
      scenario.stop();
      await h.faultline.pipeline.settled();
    }
  }

  it('opens an incident for the database failure and one for the unrelated disk', async () => {
    await play();
    const incidents = await list(h, PATHS.incidents);
    expect(incidents).toHaveLength(2);

    const database = incidents.find((i) => i.root_cause_services[0]?.name === 'postgres-orders');
    expect(database).toBeDefined();
    expect(database.title).toBe('Service disruption affecting postgres-orders');
    expect(database.events).toHaveLength(DEMO_SCRIPT.length / 2 - 1);
    expect(database.affected_services.map((s: any) => s.name)).toEqual(
      expect.arrayContaining(['postgres-orders', 'orders-api', 'catalog-api', 'shop-web']),
    );
    const disk = incidents.find((i) => i.root_cause_services[0]?.name === 'dns');
    expect(disk.events).toHaveLength(1);

    // Everything cleared, so both went to monitoring, resolved at the last clear.
    expect(incidents.map((i) => i.status)).toEqual(['monitoring', 'monitoring']);
    expect(incidents.every((i) => i.resolved_at !== null)).toBe(true);
  });
});

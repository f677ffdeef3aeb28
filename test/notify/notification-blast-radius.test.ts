import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DEMO_SCRIPT } from '../../src/events/demo-scenario.js';
import { loadDemoTopology } from '../../src/topology/demo-loader.js';
import { PATHS, START, list, names, record } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import { KEYS, drain, signedHook } from './notify-fixtures.js';
import { startNotifyHarness, type NotifyHarness } from './notify-harness.js';
import type { Receiver } from './receiver.js';

/** The signed webhook at `/hook` and PagerDuty at `/pagerduty` with the default key. */
const env = (receiver: Receiver) => ({
  ...signedHook(receiver),
  BUSINESS_APP_PAGERDUTY_ROUTING_KEY: KEYS.fallback,
  BUSINESS_APP_PAGERDUTY_EVENTS_URL: receiver.url('/pagerduty'),
});

describe.each(engines())('the blast radius notifications tell on %s', (engine) => {
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await startNotifyHarness(engine, env);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
    await loadDemoTopology(h.faultline.registry, h.faultline.writer);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Plays the failures of the demo storm (not the clears), all at START. */
  async function storm(): Promise<void> {
    for (const alert of DEMO_SCRIPT.filter((a) => a.status === 'triggered')) {
      await record(h, {
        dedupId: alert.dedupId,
        target: { type: alert.target[0], identifier: alert.target[1] },
        criticality: alert.criticality,
        message: alert.message,
      });
    }
  }

  /** The last webhook body sent about each incident. */
  function lastBodies(): Map<number, any> {
    const bodies = new Map<number, any>();
    for (const request of h.receiver.to('/hook'))
      bodies.set(request.body.incident.id, request.body);
    return bodies;
  }

  const brief = (services: any[]) => services.map((s) => ({ id: s.id, name: s.name }));

  it('names what GET blast-radius names, runners-up of the ranking left out', async () => {
    await storm();
    await drain(h);

    const incidents = await list(h, PATHS.incidents);
    const bodies = lastBodies();
    expect([...bodies.keys()].sort()).toEqual(incidents.map((i) => i.id).sort());
    for (const incident of incidents) {
      const answer = await h.call('GET', `${PATHS.incidents}${incident.id}/blast-radius/`);
      const radius = answer.body;
      const body = bodies.get(incident.id);
      const { recent_changes: _changes, ...counts } = radius.counts;

      expect(body.root_cause_services, incident.title).toEqual(brief(radius.root_cause_services));
      expect(body.root_cause_candidates).toEqual(brief(radius.root_cause_candidates));
      expect(body.blast_radius).toEqual({
        counts,
        business_applications: names(radius.business_applications),
      });
    }

    const orders = incidents.find((i) => i.root_cause_services[0]?.name === 'postgres-orders');
    const told = bodies.get(orders.id);
    // The incident ranks san-storage and core-network after postgres-orders: only hypotheses.
    expect(names(orders.root_cause_services)).toEqual([
      'postgres-orders',
      'san-storage',
      'core-network',
    ]);
    expect(names(told.root_cause_services)).toEqual(['postgres-orders']);
    expect(names(told.root_cause_candidates)).toEqual(['san-storage', 'core-network']);
    expect(told.blast_radius).toMatchObject({
      counts: { root_causes: 1, downstream_services: 5, business_applications: 3 },
      business_applications: ['Mobile App Backend', 'Payments', 'Online Shop'],
    });

    const [trigger] = h.receiver
      .to('/pagerduty')
      .filter((r) => r.body.dedup_key === `faultline-incident-${orders.id}`);
    expect(trigger!.body.payload.custom_details).toMatchObject({
      root_cause_services: ['postgres-orders'],
      business_applications: ['Mobile App Backend', 'Payments', 'Online Shop'],
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  dependsOn,
  eventSource,
  ids,
  list,
  read,
  send,
  service,
} from './automation-fixtures.js';

describe.each(engines())('merging and splitting incidents on %s', (engine) => {
  let h: Harness;
  let source: any;
  let db: any;
  let apis: any[];

  beforeAll(async () => {
    h = await startHarness(engine);
  });
  beforeEach(async () => {
    await h.reset();
    source = await eventSource(h);
    // A database with five dependents that never alerts itself.
    db = await service(h, 'database');
    apis = [];
    for (let i = 1; i <= 5; i++) {
      const api = await service(h, `api-${i}`);
      await dependsOn(h, api, db);
      apis.push(api);
    }
  });
  afterAll(async () => {
    await h.close();
  });

  const alertOn = (api: any, criticality: string) =>
    send(h, {
      source: source.id,
      dedup: `${api.name}-5xx`,
      on: ['technical_service', api.id],
      criticality,
    });

  /** Three of five dependents of the silent database alert, in three severities. */
  async function silentDatabaseStorm() {
    const first = await alertOn(apis[0], 'critical');
    // Two of five dependents alert: too few to blame the database yet.
    const second = await alertOn(apis[1], 'high');
    const third = await alertOn(apis[2], 'medium');
    return { first, second, third };
  }

  it('merges incidents once enough siblings show their common cause', async () => {
    const { first, second, third } = await silentDatabaseStorm();

    expect(first.correlation.action).toBe('created');
    expect(second.correlation.action).toBe('created');
    // 2 of 5 dependents: specificity 0.8, so 0.6 × 0.5 × 0.8 = 0.24, below the threshold.
    expect(second.correlation.candidates).toEqual([
      { incident_id: first.correlation.incident_id, score: 0.24 },
    ]);
    expect(third.correlation).toMatchObject({
      action: 'joined',
      incident_id: second.correlation.incident_id,
      merged_incidents: [first.correlation.incident_id],
      relation: 'both depend on database, 3 of whose 5 direct dependents alert',
    });

    const open = await list(h, PATHS.incidents, '&status=new');
    expect(open).toHaveLength(1);
    expect(ids(open[0].events).sort()).toEqual([first.id, second.id, third.id].sort());
    expect(open[0].severity).toBe('critical');
    expect(open[0].root_cause_services[0].name).toBe('database');
    expect(open[0].title).toBe('Service disruption affecting database');

    const absorbed = await read(h, PATHS.incidents, first.correlation.incident_id);
    expect(absorbed).toMatchObject({ status: 'closed', events: [] });
    const timeline = await h.call('GET', `${PATHS.incidents}${absorbed.id}/timeline/`);
    expect(timeline.body.results.at(-1)).toMatchObject({
      kind: 'merged',
      message: expect.stringContaining(`Merged into #${open[0].id}`),
    });
    const kept = await h.call('GET', `${PATHS.incidents}${open[0].id}/timeline/`);
    expect(kept.body.results.map((e: any) => e.kind)).toContain('absorbed');
  });

  it('lets a person split an incident again, keeping both timelines', async () => {
    const { first, second, third } = await silentDatabaseStorm();
    const merged = third.correlation.incident_id;

    const answer = await h.call('POST', `${PATHS.incidents}${merged}/split/`, {
      body: { event_ids: [first.id] },
    });
    expect(answer.status).toBe(201);
    const split = await read(h, PATHS.incidents, answer.body.new_incident_id);
    expect(ids(split.events)).toEqual([first.id]);
    expect(split).toMatchObject({ auto_created: false, reporter: 'w', severity: 'critical' });
    expect(split.affected_services.map((s: any) => s.name)).toEqual(['api-1']);
    const rest = await read(h, PATHS.incidents, merged);
    expect(ids(rest.events).sort()).toEqual([second.id, third.id].sort());

    const timeline = await h.call('GET', `${PATHS.incidents}${merged}/timeline/`);
    expect(timeline.body.results.at(-1)).toMatchObject({ kind: 'split', actor: 'w' });
  });

  it('refuses a split that names foreign events or would empty the incident', async () => {
    const { second, third } = await silentDatabaseStorm();
    const merged = third.correlation.incident_id;
    const before = await read(h, PATHS.incidents, merged);

    const foreign = await h.call('POST', `${PATHS.incidents}${merged}/split/`, {
      body: { event_ids: [999] },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.event_ids[0]).toContain('999');
    const everything = await h.call('POST', `${PATHS.incidents}${merged}/split/`, {
      body: { event_ids: ids(before.events) },
    });
    expect(everything.status).toBe(400);
    const missing = await h.call('POST', `${PATHS.incidents}99999/split/`, {
      body: { event_ids: [second.id] },
    });
    expect(missing.status).toBe(404);
    expect(ids((await read(h, PATHS.incidents, merged)).events)).toEqual(ids(before.events));
  });
});

import { describe, expect, it } from 'vitest';

import {
  AUTO_RESOLVE,
  at,
  device,
  type ShopTopology,
  useShopHarness,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import { event, eventCount, events, expectStatus, incident, postAlert } from './ingest-fixtures.js';

/** The payload the plugin documents for alerts/generic/. */
function documented(extra: Record<string, unknown> = {}) {
  return {
    source: 'nagios',
    timestamp: at(0),
    severity: 'critical',
    status: 'triggered',
    message: 'db-host-01 unreachable',
    dedup_id: 'db-host-01-ping',
    target: { type: 'device', identifier: 'db-host-01' },
    raw_data: { check: 'ping', attempts: 3 },
    ...extra,
  };
}

describe.each(engines())('generic alerts on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  it('stores the documented payload and opens an incident', async () => {
    const answer = await postAlert(h, 'generic', documented());

    expectStatus(answer, 201);
    expect(answer.body).toEqual({
      status: 'success',
      event_id: expect.any(Number),
      incident_id: expect.any(Number),
      message: 'Alert processed successfully',
    });
    const stored = await event(h, answer.body.event_id);
    expect(stored).toMatchObject({
      message: 'db-host-01 unreachable',
      dedup_id: 'db-host-01-ping',
      status: 'triggered',
      criticality: 'critical',
      object_type: 'device',
      object_id: shop.dbHost.id,
      created_at: at(0),
      raw: documented(),
    });
    expect(stored.event_source.name).toBe('nagios');
  });

  it('folds a repeat into the stored event and clears it with status ok', async () => {
    const first = await postAlert(h, 'generic', documented());
    h.clock.set(at(2));
    const repeat = await postAlert(h, 'generic', documented({ timestamp: at(2) }));
    const ok = await postAlert(h, 'generic', documented({ timestamp: at(3), status: 'ok' }));

    expect(repeat.body.event_id).toBe(first.body.event_id);
    expect(ok.body.event_id).toBe(first.body.event_id);
    expect(await event(h, first.body.event_id)).toMatchObject({ status: 'ok', occurrences: 3 });
    expect(await incident(h, first.body.incident_id)).toMatchObject({ status: 'monitoring' });
  });

  it('keeps an alert on an unknown target with a warning, and a repeat fixes it', async () => {
    const target = { type: 'device', identifier: 'cache-07' };
    const first = await postAlert(h, 'generic', documented({ dedup_id: 'c7', target }));
    const cache = await device(h, 'cache-07');
    const repeat = await postAlert(h, 'generic', documented({ dedup_id: 'c7', target }));

    expectStatus(first, 201);
    expect(first.body).toMatchObject({
      incident_id: null,
      warning: 'target not found: no device named cache-07',
    });
    expect(repeat.body.warning).toBeUndefined();
    expect(await event(h, first.body.event_id)).toMatchObject({
      is_valid: true,
      object_id: cache.id,
    });
  });

  it('shortens a long message with an ellipsis and keeps it whole in raw', async () => {
    const long = 'x'.repeat(300);

    const answer = await postAlert(h, 'generic', documented({ message: long }));

    const stored = await event(h, answer.body.event_id);
    expect(stored.message).toHaveLength(255);
    expect(stored.message.endsWith('…')).toBe(true);
    expect(stored.raw.message).toBe(long);
  });

  it('accepts a timestamp up to 5 minutes ahead and refuses one further', async () => {
    const skewed = await postAlert(h, 'generic', documented({ timestamp: at(5) }));
    const future = await postAlert(h, 'generic', documented({ dedup_id: 'f', timestamp: at(6) }));

    expectStatus(skewed, 201);
    expectStatus(future, 400);
    expect(future.body).toEqual({
      errors: { timestamp: ['Timestamp is more than 5 minutes in the future.'] },
    });
  });

  it('names every bad field at once and stores nothing', async () => {
    const answer = await postAlert(h, 'generic', {
      severity: 'urgent',
      status: 'firing',
      message: '',
      dedup_id: 'd'.repeat(129),
      timestamp: 'yesterday',
      target: { type: 'router', identifier: 'r1' },
    });

    expectStatus(answer, 400);
    expect(Object.keys(answer.body.errors).sort()).toEqual([
      'dedup_id',
      'message',
      'severity',
      'source',
      'status',
      'target.type',
      'timestamp',
    ]);
    expect(answer.body.errors.dedup_id).toEqual([
      'Ensure this field has no more than 128 characters.',
    ]);
    expect(await eventCount(h)).toBe(0);
  });

  it('refuses NUL characters and raw data nested too deep, which no database stores', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { deeper: deep };
    const answer = await postAlert(h, 'generic', [
      documented({ dedup_id: 'nul', message: 'disk\u0000full' }),
      documented({ dedup_id: 'deep', raw_data: deep }),
    ]);

    expectStatus(answer, 200);
    expect(answer.body.accepted).toEqual([]);
    expect(answer.body.rejected.map((r: { errors: object }) => Object.keys(r.errors))).toEqual([
      ['message'],
      ['raw_data'],
    ]);
    expect(await eventCount(h)).toBe(0);
  });

  it('folds repeats within one batch and of alerts stored before it', async () => {
    await postAlert(h, 'generic', documented({ dedup_id: 'known' }));

    const answer = await postAlert(h, 'generic', [
      documented({ dedup_id: 'fresh' }),
      documented({ dedup_id: 'known', message: 'still down' }),
      documented({ dedup_id: 'fresh', status: 'ok' }),
    ]);

    expectStatus(answer, 200);
    const stored = await events(h);
    expect(stored.map((e) => [e.dedup_id, e.occurrences, e.status])).toEqual([
      ['known', 2, 'triggered'],
      ['fresh', 2, 'ok'],
    ]);
    const ids = answer.body.accepted.map((a: { event_id: number }) => a.event_id);
    expect(ids).toEqual([stored[1].id, stored[0].id, stored[1].id]);
  });

  it('keeps the target and the criticality a repeat does not say better', async () => {
    const first = await postAlert(h, 'generic', documented());
    // The check is renamed to a host Faultline does not know, then the alert clears.
    await postAlert(h, 'generic', documented({ target: { type: 'device', identifier: 'nope' } }));
    const cleared = await postAlert(h, 'generic', documented({ status: 'ok', severity: 'low' }));

    expectStatus(cleared, 201);
    expect(cleared.body.warning).toBeUndefined();
    expect(await event(h, first.body.event_id)).toMatchObject({
      object_type: 'device',
      object_id: shop.dbHost.id,
      is_valid: true,
      status: 'ok',
      criticality: 'critical',
      occurrences: 3,
    });
  });

  it('says no data was provided when a POST has no body', async () => {
    const answer = await h.call('POST', '/api/plugins/business-application/alerts/generic/');

    expectStatus(answer, 400);
    expect(answer.body).toEqual({ errors: { non_field_errors: ['No data provided'] } });
  });

  it('takes a list as a batch, each item standing alone', async () => {
    const answer = await postAlert(h, 'generic', [
      documented({ dedup_id: 'a' }),
      documented({ dedup_id: 'b', severity: 'urgent' }),
      documented({ dedup_id: 'c', target: { type: 'device', identifier: 'nowhere' } }),
      'not an alert',
    ]);

    expectStatus(answer, 200);
    expect(answer.body.accepted).toEqual([
      { index: 0, event_id: expect.any(Number), incident_id: expect.any(Number), dedup_id: 'a' },
      {
        index: 2,
        event_id: expect.any(Number),
        incident_id: null,
        dedup_id: 'c',
        warning: 'target not found: no device named nowhere',
      },
    ]);
    expect(answer.body.rejected).toEqual([
      { index: 1, errors: { severity: [expect.stringContaining('"urgent" is not a valid')] } },
      {
        index: 3,
        errors: { non_field_errors: [expect.stringContaining('Expected a dictionary')] },
      },
    ]);
    expect((await events(h)).map((e) => e.dedup_id)).toEqual(['a', 'c']);
  });
});

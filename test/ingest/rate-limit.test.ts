import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PATHS, START } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { alertPath, eventCount, expectStatus, postAlert } from './ingest-fixtures.js';

/** A generic alert; `n` makes it a different alert. */
function alert(n: number) {
  return {
    source: 'nagios',
    severity: 'high',
    status: 'triggered',
    message: `alert ${n}`,
    dedup_id: `a-${n}`,
    target: { type: 'device', identifier: 'db-1' },
  };
}

describe.each(engines())('rate limit on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, {
      BUSINESS_APP_RATE_LIMIT_PER_MINUTE: '60',
      BUSINESS_APP_RATE_LIMIT_BURST: '3',
    });
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts down X-RateLimit-Remaining, then answers 429 with Retry-After', async () => {
    const answers = [];
    for (let n = 0; n < 4; n++) answers.push(await postAlert(h, 'generic', alert(n)));

    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    expect(answers.map((a) => a.headers['x-ratelimit-limit'])).toEqual(['60', '60', '60', '60']);
    const refused = answers[3]!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({
      detail: 'Request was throttled. Expected available in 1 seconds.',
    });
    expect(await eventCount(h)).toBe(3);
  });

  it('refills at the per-minute rate, up to the burst', async () => {
    for (let n = 0; n < 3; n++) await postAlert(h, 'generic', alert(n));
    h.clock.advance(2_000);
    const two = [await postAlert(h, 'generic', alert(3)), await postAlert(h, 'generic', alert(4))];
    const third = await postAlert(h, 'generic', alert(5));
    h.clock.advance(10 * 60_000);
    const rested = await postAlert(h, 'generic', alert(6));

    expect(two.map((a) => a.status)).toEqual([201, 201]);
    expectStatus(third, 429);
    expect(rested.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('keeps one bucket per token', async () => {
    for (let n = 0; n < 3; n++) await postAlert(h, 'generic', alert(n));
    const token = (await h.faultline.tokens.create({ name: 'other', writeEnabled: true })).key;

    const mine = await postAlert(h, 'generic', alert(3));
    const theirs = await postAlert(h, 'generic', alert(3), { token });

    expectStatus(mine, 429);
    expectStatus(theirs, 201);
    expect(theirs.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('counts every answer of every alert route, errors and batches included', async () => {
    const invalid = await postAlert(h, 'generic', { source: 'x' });
    const batch = await postAlert(h, 'capacitor', [{ alert_id: 1 }, { alert_id: 2 }]);
    const malformed = await h.call('POST', alertPath('alertmanager'), { payload: '{"alerts": [' });
    const enqueue = await h.call('POST', '/v2/enqueue', { body: {} });

    expect([invalid, batch, malformed, enqueue].map((a) => a.status)).toEqual([400, 200, 400, 429]);
    expect(
      [invalid, batch, malformed, enqueue].map((a) => a.headers['x-ratelimit-remaining']),
    ).toEqual(['2', '1', '0', '0']);
  });

  it('leaves the rest of the API alone', async () => {
    for (let n = 0; n < 4; n++) await postAlert(h, 'generic', alert(n));

    const devices = await h.call('GET', PATHS.devices);

    expectStatus(devices, 200);
    expect(devices.headers['x-ratelimit-remaining']).toBeUndefined();
  });
});

describe('without a rate limit (the default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });

  it('never throttles and sends no rate limit headers', async () => {
    const answers = [];
    for (let n = 0; n < 250; n++) answers.push(await postAlert(h, 'generic', alert(n % 5)));

    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers[0]!.headers['x-ratelimit-remaining']).toBeUndefined();
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { alertPath, eventCount, expectStatus } from './ingest-fixtures.js';

/** Every place alerts are posted to. */
const PATHS = [
  ...['generic', 'capacitor', 'signalfx', 'email', 'alertmanager', 'pagerduty'].map(alertPath),
  '/v2/enqueue',
];

describe.each(engines())('alert requests that cannot be read, on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  beforeEach(async () => {
    await h.reset();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(PATHS)('%s: 401 without a token, 403 with a read-only one', async (path) => {
    const anonymous = await h.call('POST', path, { body: {}, token: null });
    const readOnly = await h.call('POST', path, { body: {}, token: h.readToken });

    expectStatus(anonymous, 401);
    expectStatus(readOnly, 403);
  });

  it.each(PATHS)('%s: 413 for a body over 1 MiB', async (path) => {
    const answer = await h.call('POST', path, {
      payload: JSON.stringify({ message: 'x'.repeat(1024 * 1024) }),
    });

    expectStatus(answer, 413);
    expect(answer.body).toEqual({ detail: 'Request body is larger than 1 MiB.' });
  });

  it.each(PATHS)('%s: 400 for malformed or empty JSON', async (path) => {
    const malformed = await h.call('POST', path, { payload: '{"alerts": [' });
    const empty = await h.call('POST', path, { payload: '' });

    expectStatus(malformed, 400);
    expect(malformed.body.detail).toMatch(/^JSON parse error/);
    expectStatus(empty, 400);
  });

  it.each(PATHS)('%s: 415 for a body that is not JSON', async (path) => {
    const text = await h.call('POST', path, {
      payload: 'Subject: disk full',
      headers: { 'content-type': 'text/plain' },
    });
    const form = await h.call('POST', path, {
      payload: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectStatus(text, 415);
    expectStatus(form, 415);
  });

  it('answers 404 to a source it does not know, and stores nothing anywhere', async () => {
    const answer = await h.call('POST', alertPath('nagios'), { body: {} });

    expectStatus(answer, 404);
    expect(await eventCount(h)).toBe(0);
  });
});

import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PATHS } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  alertPath,
  eventCount,
  expectStatus,
  recordedRequests,
  replayHeaders,
} from './ingest-fixtures.js';

const SECRETS = {
  generic: 'generic-secret',
  capacitor: 'capacitor-secret',
  signalfx: 'signalfx-secret',
  alertmanager: 'alertmanager-secret',
  pagerduty: 'pagerduty-secret',
};

function hmac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const REFUSED = { detail: 'Missing or invalid webhook signature.' };

const generic = JSON.stringify({
  source: 'nagios',
  severity: 'high',
  status: 'triggered',
  message: 'disk full',
  dedup_id: 'disk',
  target: { type: 'device', identifier: 'db-1' },
});

describe.each(engines())('webhook signatures on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, { BUSINESS_APP_WEBHOOK_SECRETS: JSON.stringify(SECRETS) });
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set('2026-12-03T16:30:00.000Z');
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (source: string, payload: string, headers: Record<string, string> = {}) =>
    h.call('POST', alertPath(source), { payload, headers });

  it('accepts a recorded Alertmanager body signed over its exact bytes', async () => {
    const request = recordedRequests()[0]!;
    const signature = `sha256=${hmac(SECRETS.alertmanager, request.body)}`;

    const answer = await post('alertmanager', request.body, {
      ...replayHeaders(request),
      'x-webhook-signature': signature,
    });

    expectStatus(answer, 200);
    expect(answer.body.accepted).toHaveLength(1);
  });

  it('answers 401 and stores nothing when the signature is missing or wrong', async () => {
    const body = recordedRequests()[1]!.body;
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);

    const answers = [
      await post('alertmanager', body),
      await post('alertmanager', body, {
        'x-webhook-signature': `sha256=${hmac('another-secret', body)}`,
      }),
      await post('alertmanager', reformatted, {
        'x-webhook-signature': `sha256=${hmac(SECRETS.alertmanager, body)}`,
      }),
      await post('alertmanager', body, { 'x-webhook-signature': 'sha256=abc' }),
      await post('alertmanager', body, { 'x-webhook-signature': `sha1=${hmac('x', body)}` }),
      await post('alertmanager', body, { 'x-webhook-signature': '' }),
    ];

    for (const answer of answers) {
      expectStatus(answer, 401);
      expect(answer.body).toEqual(REFUSED);
    }
    expect(await eventCount(h)).toBe(0);
  });

  it('takes the tool-specific headers and a bare hex digest too', async () => {
    const capacitor = JSON.stringify({
      alert_id: 1,
      device_name: 'db-1',
      description: 'CPU',
      priority: 2,
      state: 'ALARM',
    });
    const signalfx = JSON.stringify({
      incidentId: 'x1',
      alertState: 'TRIGGERED',
      alertMessage: 'latency',
    });

    const answers = [
      await post('capacitor', capacitor, {
        'x-capacitor-signature': `sha256=${hmac(SECRETS.capacitor, capacitor)}`,
      }),
      await post('signalfx', signalfx, {
        'x-signalfx-signature': hmac(SECRETS.signalfx, signalfx).toUpperCase(),
      }),
      await post('generic', generic, { 'x-webhook-signature': hmac(SECRETS.generic, generic) }),
    ];

    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(await eventCount(h)).toBe(3);
  });

  it('checks each source against its own secret', async () => {
    const signedForAnother = await post('generic', generic, {
      'x-webhook-signature': `sha256=${hmac(SECRETS.capacitor, generic)}`,
    });

    expectStatus(signedForAnother, 401);
  });

  it('signs a batch as one body', async () => {
    const batch = `[${generic}, ${generic.replace('"disk"', '"disk-2"')}]`;

    const answer = await post('generic', batch, {
      'x-webhook-signature': `sha256=${hmac(SECRETS.generic, batch)}`,
    });

    expectStatus(answer, 200);
    expect(answer.body.accepted).toHaveLength(2);
  });

  it('guards PagerDuty at both of its paths', async () => {
    const body = JSON.stringify({
      routing_key: 'rk',
      event_action: 'trigger',
      payload: { summary: 'down', source: 'db-1', severity: 'error' },
    });
    const signature = { 'x-webhook-signature': `sha256=${hmac(SECRETS.pagerduty, body)}` };

    const unsigned = await h.call('POST', '/v2/enqueue', { payload: body });
    const signed = await h.call('POST', '/v2/enqueue', { payload: body, headers: signature });
    const plugin = await post('pagerduty', body, signature);

    expectStatus(unsigned, 401);
    expectStatus(signed, 202);
    expectStatus(plugin, 202);
  });

  it('lets a source without a secret in unsigned', async () => {
    const mail = JSON.stringify({
      message_id: '<m1@x>',
      subject: 'disk full',
      body: '',
      sender: 'ops@example.com',
    });

    expectStatus(await post('email', mail), 201);
  });

  it('still needs the token, and leaves other routes as they were', async () => {
    const request = recordedRequests()[0]!;
    const signature = `sha256=${hmac(SECRETS.alertmanager, request.body)}`;

    const anonymous = await h.call('POST', alertPath('alertmanager'), {
      payload: request.body,
      headers: { 'x-webhook-signature': signature },
      token: null,
    });
    const device = await h.call('POST', PATHS.devices, { payload: '{"name": "db-9"}' });
    const malformed = await h.call('POST', PATHS.devices, { payload: '{"name": ' });

    expectStatus(anonymous, 401);
    expect(anonymous.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    expectStatus(device, 201);
    expectStatus(malformed, 400);
  });
});

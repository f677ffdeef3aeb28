import { describe, expect, it } from 'vitest';

import {
  AUTO_RESOLVE,
  at,
  type ShopTopology,
  useShopHarness,
} from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import { event, eventCount, expectStatus, incident, postAlert } from './ingest-fixtures.js';

const ORIGINAL = '<20260301120000.4711@nagios.example.com>';

/** The payload the plugin documents for alerts/email/. */
function documented(extra: Record<string, unknown> = {}) {
  return {
    message_id: ORIGINAL,
    subject: 'PROBLEM: disk full on db-host-01',
    body: '/var is 99% full',
    sender: 'nagios@example.com',
    timestamp: at(0),
    severity: 'high',
    target_type: 'device',
    target_identifier: 'db-host-01',
    headers: { 'X-Mailer': 'nagios' },
    attachments: [{ filename: 'df.txt', content_type: 'text/plain' }],
    ...extra,
  };
}

/** A later message of the same thread. */
function reply(subject: string, extra: Record<string, unknown> = {}) {
  return documented({
    message_id: `<reply-${subject.length}@nagios.example.com>`,
    subject,
    body: 'all good again',
    headers: { 'In-Reply-To': ORIGINAL, References: ORIGINAL },
    ...extra,
  });
}

describe.each(engines())('e-mail alerts on %s', (engine) => {
  let h: Harness;
  let shop: ShopTopology;
  useShopHarness(engine, AUTO_RESOLVE, (started, topology) => {
    h = started;
    shop = topology;
  });

  it('stores the documented payload: subject and body as the message', async () => {
    const answer = await postAlert(h, 'email', documented());

    expectStatus(answer, 201);
    expect(answer.body.incident_id).toEqual(expect.any(Number));
    const stored = await event(h, answer.body.event_id);
    expect(stored).toMatchObject({
      dedup_id: 'email-20260301120000.4711@nagios.example.com',
      message: 'PROBLEM: disk full on db-host-01\n/var is 99% full',
      status: 'triggered',
      criticality: 'high',
      object_type: 'device',
      object_id: shop.dbHost.id,
      created_at: at(0),
      raw: documented(),
    });
    expect(stored.event_source.name).toBe('email');
  });

  it.each(['RESOLVED: disk full on db-host-01', 'Re: [Resolved] disk', 'OK - disk has room'])(
    'clears the alert of its thread with the subject %j',
    async (subject) => {
      const first = await postAlert(h, 'email', documented());
      const cleared = await postAlert(h, 'email', reply(subject));

      expectStatus(cleared, 201);
      expect(cleared.body.event_id).toBe(first.body.event_id);
      expect(await event(h, first.body.event_id)).toMatchObject({ status: 'ok', occurrences: 2 });
      expect(await incident(h, first.body.incident_id)).toMatchObject({ status: 'monitoring' });
    },
  );

  it('treats a reminder in the thread as a repeat of the alert', async () => {
    const first = await postAlert(h, 'email', documented());
    const reminder = await postAlert(h, 'email', reply('Re: PROBLEM: disk still full'));

    expect(reminder.body.event_id).toBe(first.body.event_id);
    expect(await event(h, first.body.event_id)).toMatchObject({ status: 'triggered' });
  });

  it('clears the alert named by the X-Dedup-Key header', async () => {
    const headers = { 'x-dedup-key': 'disk-db-host-01' };
    const first = await postAlert(h, 'email', documented({ headers }));
    const cleared = await postAlert(
      h,
      'email',
      documented({ message_id: '<other@x>', subject: 'OK: disk', headers }),
    );

    expect(cleared.body.event_id).toBe(first.body.event_id);
    expect(await event(h, first.body.event_id)).toMatchObject({
      dedup_id: 'email-disk-db-host-01',
      status: 'ok',
    });
  });

  it('does not read a subject that merely mentions OK as a resolution', async () => {
    const answer = await postAlert(h, 'email', documented({ subject: 'Okay so the disk is full' }));

    expect(await event(h, answer.body.event_id)).toMatchObject({ status: 'triggered' });
  });

  it('keeps an e-mail without a target, and reads an unknown severity as medium', async () => {
    const answer = await postAlert(
      h,
      'email',
      documented({ target_identifier: '', severity: 'major', target_type: undefined }),
    );

    expectStatus(answer, 201);
    expect(answer.body).toMatchObject({
      incident_id: null,
      warning: 'target not found: no target',
    });
    expect(await event(h, answer.body.event_id)).toMatchObject({ criticality: 'medium' });
  });

  it('names every bad field at once and stores nothing', async () => {
    const answer = await postAlert(h, 'email', {
      message_id: `<${'m'.repeat(123)}>`,
      body: 42,
      sender: 'not-an-address',
      timestamp: at(6),
      target_type: 'router',
      attachments: ['df.txt'],
    });

    expectStatus(answer, 400);
    expect(answer.body.errors).toEqual({
      message_id: ['Ensure this field has no more than 122 characters.'],
      subject: ['This field is required.'],
      body: ['Not a valid string.'],
      sender: ['Enter a valid email.'],
      timestamp: ['Timestamp is more than 5 minutes in the future.'],
      target_type: ['"router" is not a valid choice.'],
      'attachments.0': ['Expected a dictionary of items but got type "str".'],
    });
    expect(await eventCount(h)).toBe(0);
  });

  it('takes a batch with good and bad items, each on its own', async () => {
    const answer = await postAlert(h, 'email', [
      documented({ sender: 'nobody' }),
      documented({ message_id: '<second@x>' }),
    ]);

    expectStatus(answer, 200);
    expect(answer.body.accepted.map((a: any) => [a.index, a.dedup_id])).toEqual([
      [1, 'email-second@x'],
    ]);
    expect(answer.body.rejected).toEqual([
      { index: 0, errors: { sender: ['Enter a valid email.'] } },
    ]);
  });
});

import { describe, expect, it } from 'vitest';

import { emailThreadKey, isResolvingSubject } from './email-thread.js';

describe('resolving subjects', () => {
  it.each([
    'RESOLVED: disk full',
    'Resolved in 5m: disk full',
    '[RESOLVED] disk full',
    '** resolved ** disk',
    'OK: disk',
    'OK - disk',
    'Re: RESOLVED: disk full',
    'RE: Fwd: OK disk',
  ])('reads %j as clearing its alert', (subject) => {
    expect(isResolvingSubject(subject)).toBe(true);
  });

  it.each([
    'PROBLEM: disk full',
    'Okay, disk full',
    'ok: lower-case ok is not a status',
    'Disk RESOLVED itself?',
    'Unresolved: disk full',
  ])('reads %j as an alert', (subject) => {
    expect(isResolvingSubject(subject)).toBe(false);
  });
});

describe('e-mail thread keys', () => {
  it('is the message id without angle brackets for a first message', () => {
    expect(emailThreadKey(' <a@b> ', {})).toEqual({ value: 'a@b', from: 'message_id' });
    expect(emailThreadKey('a@b', undefined)).toEqual({ value: 'a@b', from: 'message_id' });
  });

  it('is the first message of the thread for a reply', () => {
    const headers = { References: '<root@x> <middle@x>', 'In-Reply-To': '<middle@x>' };

    expect(emailThreadKey('<me@x>', headers)).toEqual({ value: 'root@x', from: 'headers' });
    expect(emailThreadKey('<me@x>', { 'in-reply-to': 'parent@x' }).value).toBe('parent@x');
    expect(emailThreadKey('<me@x>', { references: ['<first@x>', '<second@x>'] }).value).toBe(
      'first@x',
    );
  });

  it('prefers the dedup key header, in any case', () => {
    const headers = { 'X-DEDUP-KEY': ' disk-1 ', References: '<root@x>' };

    expect(emailThreadKey('<me@x>', headers)).toEqual({ value: 'disk-1', from: 'headers' });
  });

  it('ignores blank and non-text headers', () => {
    const headers = { 'X-Dedup-Key': '  ', References: 42, 'In-Reply-To': '' };

    expect(emailThreadKey('<me@x>', headers)).toEqual({ value: 'me@x', from: 'message_id' });
  });
});

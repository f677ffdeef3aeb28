import { describe, expect, it } from 'vitest';

import { ManualClock } from '../clock.js';
import { MESSAGE_LIMIT, checkTimestamp, shortenMessage } from './alert-rules.js';

const clock = new ManualClock('2026-12-03T12:00:00Z');

describe('alert timestamps', () => {
  it.each([
    ['2026-12-03T10:00:00Z', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03T10:00:00.123456789Z', '2026-12-03T10:00:00.123Z'],
    ['2026-12-03T12:00:00+02:00', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03T12:00:00+0200', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03T12:00:00+02', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03 10:00:00z', '2026-12-03T10:00:00.000Z'],
    ['2026-12-03T10:00', '2026-12-03T10:00:00.000Z'],
  ])('reads %s as %s', (value, time) => {
    expect(checkTimestamp(value, clock)).toEqual({ time });
  });

  it('reads a time without a zone as UTC, whatever the server runs in', () => {
    expect(checkTimestamp('2026-12-03T10:00:00', clock)).toEqual({
      time: '2026-12-03T10:00:00.000Z',
    });
  });

  it.each(['1', 'yesterday', 'Thu, 03 Dec 2026 10:00:00 GMT', '2026-12-03', '12/03/2026 10:00'])(
    'refuses %s',
    (value) => {
      expect(checkTimestamp(value, clock)).toEqual({ error: 'Enter a valid ISO 8601 timestamp.' });
    },
  );
});

describe('shortening a message', () => {
  it('keeps a message of the limit whole', () => {
    const message = 'x'.repeat(MESSAGE_LIMIT);
    expect(shortenMessage(message)).toBe(message);
  });

  it('cuts by characters, never inside an emoji', () => {
    const short = shortenMessage(`a${'😀'.repeat(300)}`);
    expect(Array.from(short)).toHaveLength(MESSAGE_LIMIT);
    expect(short.endsWith('😀…')).toBe(true);
    expect(short).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('keeps whole a message of few characters but many UTF-16 units', () => {
    const message = '😀'.repeat(200);
    expect(shortenMessage(message)).toBe(message);
  });
});

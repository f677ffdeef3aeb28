import { describe, expect, it } from 'vitest';

import { isMaskOf, maskSecret, maskUrl, redact } from './secret-mask.js';

describe('secret masks', () => {
  it.each([
    [null, null],
    ['short', '****'],
    ['elevenchars', '****'],
    ['R0123456789abcdef0123456789abcde', '****bcde'],
  ])('shows %j as %j', (secret, shown) => {
    expect(maskSecret(secret)).toBe(shown);
  });

  it('recognises a mask sent back for the secret it hides', () => {
    expect(isMaskOf('****bcde', 'R0123456789abcdef0123456789abcde')).toBe(true);
    expect(isMaskOf('****bcdf', 'R0123456789abcdef0123456789abcde')).toBe(false);
    expect(isMaskOf('****', null)).toBe(false);
  });

  it.each([
    ['https://hooks.example.com', 'https://hooks.example.com'],
    ['https://hooks.example.com/', 'https://hooks.example.com/'],
    ['http://127.0.0.1:9000/in', 'http://127.0.0.1:9000/****'],
    [
      'https://hooks.slack.com/services/T000/B000/XXXXXXXXsecret',
      'https://hooks.slack.com/****cret',
    ],
    ['https://hooks.example.com/in?token=abcdefgh1234', 'https://hooks.example.com/****1234'],
  ])('shows the URL %s as %s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
  });

  it('redacts every occurrence of the secrets in a text', () => {
    const key = 'R0123456789abcdef0123456789abcde';

    expect(redact(`bad key ${key}, again ${key}`, [key, null, ''])).toBe(
      'bad key ****bcde, again ****bcde',
    );
  });
});

import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

/** The node flags of a command line: `node --a --b file …` → ['--a', '--b']. */
function nodeFlags(words: readonly string[]): string[] {
  const at = words.indexOf('node');
  const out: string[] = [];
  for (const word of words.slice(at + 1)) {
    if (!word.startsWith('--')) break;
    out.push(word);
  }
  return out;
}

describe('how the command starts', () => {
  const shebang = readFileSync(new URL('../../src/cli/main.ts', import.meta.url), 'utf8').split(
    '\n',
    1,
  )[0]!;
  const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    .scripts as Record<string, string>;

  it('runs the installed command with a larger young generation', () => {
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(nodeFlags(shebang.split(/\s+/))).toContain('--max-semi-space-size=64');
  });

  it('gives npm start the flags of the installed command', () => {
    const start = scripts.start!.split('&&').pop()!.trim().split(/\s+/);
    expect(nodeFlags(start)).toEqual(nodeFlags(shebang.split(/\s+/)));
  });
});

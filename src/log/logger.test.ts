import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, describe, expect, it } from 'vitest';

import { createLogger } from './logger.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-logger-'));
let files = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  return join(dir, `logs-${++files}`, 'faultline.log');
}

/** A console stand-in that keeps what was written. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

function contentOf(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/**
 * The file's content once `ready` holds for it. The file destination writes asynchronously (and
 * pino's flush callback does not wait for writes in flight), so this polls, at most 200 times
 * over about 5 s.
 */
async function settled(path: string, ready: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (let attempt = 0; attempt < 200 && Date.now() < deadline; attempt++) {
    const text = contentOf(path);
    if (ready(text)) return text;
    await sleep(25);
  }
  return contentOf(path);
}

function records(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('writes one JSON object a line with an upper-case level name', () => {
    const screen = capture();
    const logger = createLogger({ level: 'debug', file: null, stdout: screen.stream });

    logger.error({ incident_id: 7 }, 'notification failed');
    logger.warn('database slow');
    logger.info('server started');
    logger.debug({ event_id: 3 }, 'event received');

    const lines = screen.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((r) => r.level)).toEqual(['ERROR', 'WARN', 'INFO', 'DEBUG']);
    expect(parsed[0]).toMatchObject({
      service: 'faultline',
      incident_id: 7,
      msg: 'notification failed',
    });
    expect(parsed[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('stamps each line with the time it was written', async () => {
    const screen = capture();
    const logger = createLogger({ level: 'info', file: null, stdout: screen.stream });

    const before = Date.now();
    logger.info('first');
    await sleep(20);
    logger.info('second');
    const after = Date.now();

    const [first, second] = records(screen.text()).map((r) => Date.parse(String(r.time)));
    expect(first).toBeGreaterThanOrEqual(before);
    expect(second! - first!).toBeGreaterThanOrEqual(15);
    expect(second).toBeLessThanOrEqual(after);
  });

  it('lets grep ERROR find the errors and only them', () => {
    const screen = capture();
    const logger = createLogger({ level: 'info', file: null, stdout: screen.stream });

    logger.info('incident opened');
    logger.error({ incident_id: 1 }, 'webhook rejected');
    logger.warn('retrying');

    const found = screen
      .text()
      .split('\n')
      .filter((line) => line.includes('ERROR'));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('"msg":"webhook rejected"');
  });

  it('drops lines below the configured level and writes nothing when silent', () => {
    const warnOnly = capture();
    const silent = capture();

    createLogger({ level: 'warn', file: null, stdout: warnOnly.stream }).info('not shown');
    createLogger({ level: 'warn', file: null, stdout: warnOnly.stream }).warn('shown');
    createLogger({ level: 'silent', file: null, stdout: silent.stream }).fatal('never');

    expect(records(warnOnly.text()).map((r) => r.msg)).toEqual(['shown']);
    expect(silent.text()).toBe('');
  });

  it('keeps child logger context in every line', () => {
    const screen = capture();
    const logger = createLogger({ level: 'info', file: null, stdout: screen.stream });

    logger.child({ component: 'correlator' }).info({ correlation_score: 0.5 }, 'decided');

    expect(records(screen.text())[0]).toMatchObject({
      level: 'INFO',
      component: 'correlator',
      correlation_score: 0.5,
    });
  });
});

describe('createLogger with LOG_FILE', () => {
  it('creates the folder and appends the same JSON lines as the console', async () => {
    const path = freshPath();
    const screen = capture();
    const logger = createLogger({ level: 'info', file: path, stdout: screen.stream });

    logger.error({ incident_id: 9 }, 'escalation failed');
    logger.info('server started');

    const text = await settled(path, (t) => records(t).length === 2);
    expect(records(text).map((r) => [r.level, r.msg])).toEqual([
      ['ERROR', 'escalation failed'],
      ['INFO', 'server started'],
    ]);
    expect(text.endsWith('\n')).toBe(true);
    expect(records(screen.text())).toHaveLength(2);
  });

  it('writes only to the file when the console is switched off', async () => {
    const path = freshPath();
    const logger = createLogger({ level: 'warn', file: path, stdout: false });

    logger.info('below the level');
    logger.warn('degraded');

    const text = await settled(path, (t) => t.includes('degraded'));
    expect(records(text).map((r) => r.msg)).toEqual(['degraded']);
  });

  it('keeps what the file already held', async () => {
    const path = freshPath();
    createLogger({ level: 'info', file: path, stdout: false }).info('first run');
    await settled(path, (t) => t.includes('first run'));
    const before = readFileSync(path, 'utf8');

    createLogger({ level: 'info', file: path, stdout: false }).info('second run');

    const text = await settled(path, (t) => t.includes('second run'));
    expect(text.startsWith(before)).toBe(true);
    expect(records(text).map((r) => r.msg)).toEqual(['first run', 'second run']);
  });

  it('keeps foreign content written before it opened the file', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'kept line\n');

    createLogger({ level: 'info', file: path, stdout: false }).info('appended');

    const text = await settled(path, (t) => t.includes('appended'));
    expect(text.startsWith('kept line\n{')).toBe(true);
  });

  it('writes from the start of the file after copytruncate, without a NUL gap', async () => {
    const path = freshPath();
    const logger = createLogger({ level: 'info', file: path, stdout: false });
    for (let i = 0; i < 20; i++) logger.info({ line_number: i }, 'before rotation');
    const rotated = await settled(path, (t) => records(t).length === 20);
    expect(rotated.length).toBeGreaterThan(1_000);

    truncateSync(path, 0);
    logger.warn({ line_number: 20 }, 'after rotation');

    const text = await settled(path, (t) => t.includes('after rotation'));
    expect(text).not.toContain('\u0000');
    expect(text.startsWith('{')).toBe(true);
    expect(text.length).toBeLessThan(rotated.length);
    expect(records(text)).toEqual([
      expect.objectContaining({ level: 'WARN', msg: 'after rotation', line_number: 20 }),
    ]);
  });

  it('writes every line to standard output before the process exits, however soon', () => {
    // Standard output is written asynchronously: what is still buffered goes out at exit.
    const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
    const script = `
      import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger({ level: 'info', file: null });
      for (let i = 0; i < 2000; i++) log.info({ line_number: i }, 'line');
      process.exit(3);
    `;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.status).toBe(3);
    const lines = records(child.stdout);
    expect(lines).toHaveLength(2000);
    expect(lines[1999]).toEqual(expect.objectContaining({ msg: 'line', line_number: 1999 }));
  });

  it('writes every line to the log file before the process exits, however soon', () => {
    const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
    const path = freshPath();
    const script = `
      import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger({ level: 'info', file: process.argv[1], stdout: false });
      log.info({ line_number: -1 }, 'first');
      setImmediate(() => {
        for (let i = 0; i < 2000; i++) log.info({ line_number: i }, 'line');
        process.exit(4);
      });
    `;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, path],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(4);
    const lines = records(contentOf(path));
    expect(lines).toHaveLength(2001);
    expect(lines.map((l) => l.line_number)).toEqual([
      -1,
      ...Array.from({ length: 2000 }, (_, i) => i),
    ]);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVICES = '/api/plugins/business-application/technical-services/';
const START_LIMIT_MS = 20_000;
const STOP_LIMIT_MS = 10_000;
const TOKEN_LINE = /^ {2}Write token: ([0-9a-f]{40})\n/m;

const dir = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
const running = new Set<ChildProcess>();

afterEach(() => {
  // A test that failed half-way must not leave its server behind.
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on right now: the kernel picks one, and it is given back. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
}

/** Runs the real command line, from source, as a separate process. */
async function serveDemo(databasePath: string, logLevel = 'warn'): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--demo'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${databasePath}`,
      LOG_LEVEL: logLevel,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** The demo token, once the banner shows it; fails after 20 s or if the server died. */
async function writeToken(server: Server): Promise<string> {
  const deadline = Date.now() + START_LIMIT_MS;
  for (let attempt = 0; attempt < START_LIMIT_MS / 50 && Date.now() < deadline; attempt++) {
    const match = TOKEN_LINE.exec(server.stdout());
    if (match?.[1] !== undefined) return match[1];
    if (exited(server.child)) break;
    await sleep(50);
  }
  throw new Error(
    `no write token within ${START_LIMIT_MS} ms (exit code ${server.child.exitCode})\n` +
      `stdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`,
  );
}

/** Sends SIGTERM and waits, at most 10 s, for the process to end; returns its exit code. */
async function stop(server: Server): Promise<number | null> {
  const ended = exited(server.child) ? Promise.resolve() : once(server.child, 'exit');
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_LIMIT_MS);
  });
  const outcome = await Promise.race([ended.then(() => 'exited' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') throw new Error(`still running ${STOP_LIMIT_MS} ms after SIGTERM`);
  running.delete(server.child);
  return server.child.exitCode;
}

async function get(server: Server, path: string, token?: string) {
  const response = await fetch(`${server.url}${path}`, {
    headers: token === undefined ? {} : { Authorization: `Token ${token}` },
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as any) };
}

describe('faultline serve --demo', () => {
  it('loads the demo, prints a working write token and stops on SIGTERM', async () => {
    const server = await serveDemo(join(dir, 'first', 'faultline.db'));

    const token = await writeToken(server);

    expect(server.stdout()).toMatch(/^Loaded the demo topology: .*\d+ technical services/m);
    expect(server.stdout()).toContain(`Faultline is serving at ${server.url}/\n`);
    const services = await get(server, SERVICES, token);
    expect(services.status).toBe(200);
    expect(services.body.count).toBeGreaterThanOrEqual(15);
    expect(services.body.results.length).toBeGreaterThanOrEqual(15);
    expect(await get(server, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await get(server, SERVICES)).status).toBe(401);
    expect((await get(server, SERVICES, 'f'.repeat(40))).status).toBe(401);

    expect(await stop(server)).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  }, 60_000);

  it('loads the topology into memory before it reports started', async () => {
    const server = await serveDemo(join(dir, 'warm', 'faultline.db'), 'info');
    await writeToken(server);
    const messages = server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string; services?: number }).msg);
    const loaded = messages.indexOf('topology loaded');
    expect(loaded).toBeGreaterThanOrEqual(0);
    expect(loaded).toBeLessThan(messages.indexOf('server started'));
    expect(await stop(server)).toBe(0);
  }, 60_000);

  it('does not load the demo again and replaces the demo token', async () => {
    const path = join(dir, 'second', 'faultline.db');
    const first = await serveDemo(path);
    const oldToken = await writeToken(first);
    const before = await get(first, SERVICES, oldToken);
    expect(await stop(first)).toBe(0);

    const second = await serveDemo(path);
    const newToken = await writeToken(second);

    expect(second.stdout()).toContain(
      'The database already holds a topology; the demo was not loaded again.',
    );
    expect(second.stdout()).not.toContain('Loaded the demo topology');
    expect(newToken).not.toBe(oldToken);
    const after = await get(second, SERVICES, newToken);
    expect(after.status).toBe(200);
    expect(after.body.count).toBe(before.body.count);
    expect((await get(second, SERVICES, oldToken)).status).toBe(401);
    expect(await stop(second)).toBe(0);
  }, 90_000);
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server under test, listening on 127.0.0.1 only. */
export interface RunningServer {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The child process, for its peak memory. */
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * How to start the built command as installed: node with the flags of its `#!` line (see
 * src/cli/main.ts), so that the benchmarks measure what users run.
 */
export function faultlineCommand(): string[] {
  const [first] = readFileSync('dist/cli/main.js', 'utf8').split('\n', 1);
  const flags = (first ?? '').replace(/^#!\/usr\/bin\/env\s+(-S\s+)?node\s*/, '');
  return [...flags.split(/\s+/).filter((f) => f.startsWith('--')), 'dist/cli/main.js'];
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Waits until GET `url` answers 2xx: at most 150 tries, 100 ms apart. */
async function waitReady(url: string, child: ChildProcess, name: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ready = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become ready at ${url}`);
}

function stopper(child: ChildProcess, cleanup: () => void = () => {}): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) {
        cleanup();
        resolve();
        return;
      }
      // Bounded: a child that ignores SIGTERM for 10 s is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        cleanup();
        resolve();
      });
      child.kill('SIGTERM');
    });
}

async function started(
  name: string,
  child: ChildProcess,
  port: number,
  readyPath: string,
  cleanup?: () => void,
): Promise<RunningServer> {
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}${readyPath}`, child, name);
  return { name, port, url, pid: child.pid ?? 0, stop: stopper(child, cleanup) };
}

/**
 * `faultline serve` from the built command on `databaseUrl`, with the settings `env` adds.
 * Its log goes where a production log would (formatted, at the default level) but is dropped.
 */
export async function startFaultline(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...faultlineCommand(), 'serve'], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return started('faultline', child, port, '/readyz');
}

/** The baseline: bare Fastify that parses the JSON body and answers 200. */
export async function startEcho(): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/http/echo-server.ts', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return started('fastify-echo', child, port, '/ready');
}

export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

/** Whether Debian's Alertmanager is installed. */
export function hasAlertmanager(): boolean {
  return spawnSync(ALERTMANAGER_BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Prometheus Alertmanager on 127.0.0.1 with cluster mode off and a receiver that sends nothing:
 * it keeps alerts in memory and correlates nothing.
 */
export async function startAlertmanager(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
  const port = await freePort();
  const child = spawn(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  return started('alertmanager', child, port, '/-/ready', () =>
    rmSync(dir, { recursive: true, force: true }),
  );
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AUTO_RESOLVE, device, incidents, service } from '../automation/automation-fixtures.js';
import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { alertPath } from './ingest-fixtures.js';

/**
 * End to end with the real Prometheus Alertmanager (Debian's `prometheus-alertmanager`):
 * alerts posted to its API reach Faultline through its webhook notifier and become an
 * incident; their resolution resolves it. FAULTLINE_TEST_ALERTMANAGER=required (CI) makes a
 * missing binary a failure; otherwise the suite is skipped with a notice.
 */
const BINARY_NAMES = ['prometheus-alertmanager', 'alertmanager'];
const required = process.env.FAULTLINE_TEST_ALERTMANAGER === 'required';

function findBinary(): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of BINARY_NAMES) {
    const found = dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
    if (found !== undefined) return found;
  }
  return null;
}

const binary = findBinary();
if (binary === null && !required) {
  process.stderr.write(
    '\n*** prometheus-alertmanager is not installed: the end-to-end Alertmanager test was ' +
      'SKIPPED (apt-get install prometheus-alertmanager).\n',
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `intervalMs`, at most `attempts` times, until it returns a value. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null>,
  attempts = 80,
  intervalMs = 250,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== null) return value;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${(attempts * intervalMs) / 1000} s waiting for ${what}`);
}

function alertmanagerConfig(webhookUrl: string, token: string): string {
  return [
    'global:',
    '  resolve_timeout: 1m',
    'route:',
    '  receiver: faultline',
    "  group_by: ['alertname', 'service']",
    '  group_wait: 1s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: faultline',
    '    webhook_configs:',
    `      - url: '${webhookUrl}'`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    '            type: Token',
    `            credentials: '${token}'`,
    '',
  ].join('\n');
}

/** Stops the child and waits (bounded) for it to exit; SIGKILL if SIGTERM is not enough. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!gone) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
  }
}

describe.skipIf(binary === null && !required).each(engines())(
  'a real Alertmanager sending to Faultline on %s',
  (engine) => {
    let h: Harness;
    let dir: string;
    let child: ChildProcess | null = null;
    let alertmanagerUrl = '';
    const output: string[] = [];

    beforeAll(async () => {
      if (binary === null) {
        throw new Error(
          'FAULTLINE_TEST_ALERTMANAGER=required but prometheus-alertmanager is not installed',
        );
      }
      h = await startHarness(engine, AUTO_RESOLVE);
      // Alertmanager stamps alerts with the real time: Faultline's clock must agree.
      h.clock.set(new Date());
      const faultlineUrl = await h.faultline.api.listen({ host: '127.0.0.1', port: 0 });

      dir = mkdtempSync(join(tmpdir(), 'faultline-alertmanager-'));
      const config = join(dir, 'alertmanager.yml');
      writeFileSync(
        config,
        alertmanagerConfig(`${faultlineUrl}${alertPath('alertmanager')}`, h.writeToken),
      );
      const port = await freePort();
      alertmanagerUrl = `http://127.0.0.1:${port}`;
      child = spawn(
        binary,
        [
          `--config.file=${config}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
          '--log.level=info',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));

      await waitFor('Alertmanager to be ready', async () => {
        if (child?.exitCode !== null) throw new Error(`alertmanager exited: ${output.join('')}`);
        const ready = await fetch(`${alertmanagerUrl}/-/ready`).catch(() => null);
        return ready?.ok === true ? true : null;
      });
    }, 60_000);

    afterAll(async () => {
      if (child !== null) await stop(child);
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      if (h !== undefined) await h.close();
    });

    /** Posts alerts to Alertmanager's own API, as Prometheus does. */
    async function postToAlertmanager(alerts: unknown[]): Promise<void> {
      const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      expect(response.status, await response.text()).toBe(200);
    }

    it('opens an incident for alerts posted to Alertmanager, and resolves it', async () => {
      const hosts = [await device(h, 'web-1'), await device(h, 'web-2')];
      await service(h, 'web', { devices: hosts.map((d) => d.id) });
      const startsAt = new Date(Date.now() - 1_000).toISOString();
      const alerts = hosts.map((host) => ({
        labels: {
          alertname: 'HighLatency',
          service: 'web',
          instance: `${host.name}:9100`,
          severity: 'critical',
        },
        annotations: { summary: `p99 latency above 2 s on ${host.name}` },
        startsAt,
        generatorURL: 'http://prometheus.example:9090/graph',
      }));

      await postToAlertmanager(alerts);
      const opened = await waitFor('the incident', async () => {
        const [first] = await incidents(h);
        return first?.events?.length === 2 ? first : null;
      });
      await postToAlertmanager(
        alerts.map((a) => ({ ...a, endsAt: new Date(Date.now() - 500).toISOString() })),
      );
      const resolved = await waitFor('the incident to resolve', async () => {
        const [first] = await incidents(h);
        return first?.status === 'monitoring' ? first : null;
      });

      expect(opened).toMatchObject({ status: 'new', severity: 'critical' });
      expect(opened.affected_services.map((s: any) => s.name)).toEqual(['web']);
      expect(resolved.id).toBe(opened.id);
      expect(await incidents(h)).toHaveLength(1);
    }, 60_000);
  },
);

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

import { faultlineCommand } from '../http/servers.js';
import type { LabelledAlert, Scenario } from './failure-model.js';
import type { Observation } from './metrics.js';
import type { ReplayResult } from './replay-in-process.js';

const PLUGIN = '/api/plugins/business-application';

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

/** A running `faultline serve` on 127.0.0.1, started from the built command. */
export interface RunningServer {
  readonly url: string;
  readonly token: string;
  stop(): Promise<void>;
}

export async function startServer(
  databasePath: string,
  token: string,
  env: Record<string, string>,
): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...faultlineCommand(), 'serve'], {
    env: {
      ...process.env,
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${databasePath}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // Bounded wait: 100 tries, 100 ms apart.
  for (let attempt = 0; attempt < 100; attempt++) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (attempt === 99) throw new Error('faultline serve did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, token, stop };
}

function payload(alert: LabelledAlert) {
  return {
    source: 'bench',
    timestamp: new Date(alert.at).toISOString(),
    severity: alert.severity,
    status: alert.status,
    message: alert.message,
    dedup_id: alert.dedupId,
    target: { type: alert.target.type, identifier: alert.target.name },
  };
}

async function call(server: RunningServer, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Token ${server.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function all(server: RunningServer, path: string): Promise<any[]> {
  const out: any[] = [];
  let next: string | null = `${path}?limit=1000`;
  // Bounded: at most 1,000 pages.
  for (let page = 0; next !== null && page < 1000; page++) {
    const body: any = await call(server, next.replace(server.url, ''));
    out.push(...body.results);
    next = body.next;
  }
  return out;
}

/** Replays a scenario, in event-time order, through the generic alert endpoint of a server. */
export async function replayOverHttp(
  server: RunningServer,
  scenario: Scenario,
): Promise<ReplayResult> {
  for (const alert of scenario.alerts) {
    await call(server, `${PLUGIN}/alerts/generic/`, payload(alert));
  }
  const observed = new Map<string, Observation>();
  for (const event of await all(server, `${PLUGIN}/events/`)) {
    const incidents = (event.incidents as Array<{ id: number }>).map((i) => i.id);
    const incidentId = incidents.length === 0 ? null : Math.min(...incidents);
    observed.set(event.dedup_id, { incidentId, status: event.status });
  }
  const rootCauses = new Map<number, number[]>();
  for (const incident of await all(server, `${PLUGIN}/incidents/`)) {
    const roots = incident.root_cause_services as Array<{ id: number }>;
    rootCauses.set(
      incident.id,
      roots.map((r) => r.id),
    );
  }
  return { observed, rootCauses };
}

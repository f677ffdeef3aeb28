import { Agent, request } from 'node:http';

/** One HTTP load run: how many requests, how fast, how long they took. */
export interface LoadResult {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  readonly requests_per_s: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Answers by status code ("0" for a connection error). */
  readonly statuses: Record<string, number>;
}

export interface LoadOptions {
  readonly port: number;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Requests in flight at once, each on its own kept-alive connection. */
  readonly connections: number;
  /** Stop after this many requests… */
  readonly maxRequests: number;
  /** …or after this many seconds, whichever comes first. */
  readonly maxSeconds: number;
  /** The body of request `i` (0-based, unique across the run). */
  readonly body: (i: number) => string;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Where requests go. */
interface Target {
  readonly port: number;
  readonly path: string;
  readonly headers?: Record<string, string>;
}

/** Sends one POST on `agent`; resolves with the status (0 on a connection error). */
function post(agent: Agent, options: Target, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...options.headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * A closed-loop load generator on 127.0.0.1: `connections` workers each send a request and wait
 * for its answer before the next, until `maxRequests` were sent or `maxSeconds` passed. Bounded
 * in count and in time; the latency of every request is kept for exact percentiles.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(options.maxSeconds * 1e9));

  const worker = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (next < options.maxRequests && process.hrtime.bigint() < deadline) {
        const body = options.body(next++);
        const sent = process.hrtime.bigint();
        const status = await post(agent, options, body);
        latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([code]) => Number(code) >= 200 && Number(code) < 300)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    ok,
    failed: latencies.length - ok,
    seconds: round(seconds),
    requests_per_s: Math.round(latencies.length / seconds),
    p50_ms: round(percentile(latencies, 0.5)),
    p99_ms: round(percentile(latencies, 0.99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
    statuses,
  };
}

export interface PacedOptions extends Omit<LoadOptions, 'connections' | 'maxRequests'> {
  /** Requests to send in all. */
  readonly total: number;
  /** Requests started per second (open loop: the schedule does not wait for answers). */
  readonly ratePerSecond: number;
  /** Requests in flight at most; when reached, sending waits (and falls behind schedule). */
  readonly maxInFlight: number;
}

export interface PacedResult extends LoadResult {
  /** When the last answer came back (ms since the epoch). */
  readonly last_answer_at: number;
  /** How long sending took: the schedule's length unless the server held it back. */
  readonly send_seconds: number;
  /** When the schedule had the last request go out (ms since the epoch). */
  readonly scheduled_end_at: number;
}

/**
 * An open-loop sender: request i starts at i / rate seconds (a storm arrives whether or not the
 * server keeps up), with at most `maxInFlight` outstanding. Bounded by `total` and `maxSeconds`.
 */
export async function runPaced(options: PacedOptions): Promise<PacedResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const started = performance.now();
  const startedAt = Date.now();
  const deadline = started + options.maxSeconds * 1000;
  let inFlight = 0;
  let lastAnswerAt = 0;
  let sendEnded = started;
  const pending: Array<Promise<void>> = [];
  const slot = () => new Promise((resolve) => setTimeout(resolve, 1));

  for (let i = 0; i < options.total && performance.now() < deadline; i++) {
    const due = started + (i * 1000) / options.ratePerSecond;
    while (performance.now() < due || inFlight >= options.maxInFlight) {
      if (performance.now() >= deadline) break;
      await slot();
    }
    inFlight += 1;
    const sent = performance.now();
    pending.push(
      post(agent, options, options.body(i)).then((status) => {
        inFlight -= 1;
        lastAnswerAt = Date.now();
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
    sendEnded = performance.now();
  }
  await Promise.all(pending);
  agent.destroy();

  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([code]) => Number(code) >= 200 && Number(code) < 300)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    ok,
    failed: latencies.length - ok,
    seconds: round(seconds),
    requests_per_s: Math.round(latencies.length / seconds),
    p50_ms: round(percentile(latencies, 0.5)),
    p99_ms: round(percentile(latencies, 0.99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
    statuses,
    last_answer_at: lastAnswerAt,
    send_seconds: round((sendEnded - started) / 1000),
    scheduled_end_at: startedAt + ((options.total - 1) * 1000) / options.ratePerSecond,
  };
}

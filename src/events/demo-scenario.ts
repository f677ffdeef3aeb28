import type { Severity } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { NamedTargetType } from '../topology/topology-index.js';
import type { EventInput } from './event-input.js';
import type { EventPipeline } from './event-pipeline.js';

/** One scripted alert: when (seconds into the cycle), what, and on which object. */
export interface ScriptedAlert {
  readonly at: number;
  readonly dedupId: string;
  readonly target: [NamedTargetType, string];
  readonly criticality: Severity;
  readonly message: string;
  readonly status: 'triggered' | 'ok';
}

const fire = (
  at: number,
  dedupId: string,
  target: [NamedTargetType, string],
  criticality: Severity,
  message: string,
): ScriptedAlert => ({ at, dedupId, target, criticality, message, status: 'triggered' });

/**
 * The demo's story: the orders database host fails and what depends on it alerts over the next
 * minute; meanwhile an unrelated disk fills up on a DNS server; later everything clears.
 */
const FAILURES: readonly ScriptedAlert[] = [
  fire(5, 'demo-db-01-down', ['device', 'db-01'], 'critical', 'db-01: host unreachable'),
  fire(
    15,
    'demo-orders-api-5xx',
    ['technical_service', 'orders-api'],
    'high',
    'orders-api: error rate 38% (connection refused to postgres-orders)',
  ),
  fire(25, 'demo-dns-02-disk', ['device', 'dns-02'], 'medium', 'dns-02: disk /var 91% full'),
  fire(
    30,
    'demo-catalog-api-latency',
    ['technical_service', 'catalog-api'],
    'high',
    'catalog-api: p99 latency 4.2 s',
  ),
  fire(
    45,
    'demo-shop-web-5xx',
    ['virtual_machine', 'shop-web-vm-01'],
    'high',
    'shop-web: HTTP 503 on /checkout',
  ),
  fire(
    60,
    'demo-mobile-gateway',
    ['technical_service', 'mobile-gateway'],
    'high',
    'mobile-gateway: upstream timeouts',
  ),
];

/** Every alert clears again, the root last. */
const CLEARS: readonly ScriptedAlert[] = FAILURES.map((alert, i) => ({
  ...alert,
  at: 150 + (FAILURES.length - i) * 5,
  status: 'ok' as const,
  message: `${alert.message} (resolved)`,
}));

export const DEMO_SCRIPT: readonly ScriptedAlert[] = [...FAILURES, ...CLEARS].sort(
  (a, b) => a.at - b.at,
);

/** Seconds between the starts of two plays of the script. */
export const DEMO_CYCLE_SECONDS = 20 * 60;

function toInput(alert: ScriptedAlert): EventInput {
  return {
    source: { name: 'demo' },
    dedupId: alert.dedupId,
    message: alert.message,
    status: alert.status,
    criticality: alert.criticality,
    target: { type: alert.target[0], identifier: alert.target[1] },
    raw: { demo: true },
  };
}

/**
 * Plays the demo script through the event pipeline, the same entry point every alert takes,
 * and again every cycle while the server runs.
 */
export class DemoScenario {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pipeline: EventPipeline,
    private readonly logger: Logger,
    /** 1 plays in real time; tests play faster. */
    private readonly timeScale = 1,
  ) {}

  start(): void {
    this.schedule(0, () => this.playCycle());
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private playCycle(): void {
    for (const alert of DEMO_SCRIPT) {
      this.schedule(alert.at, () => {
        this.pipeline.record({ input: toInput(alert) }).then(
          (outcome) =>
            this.logger.debug({ event_id: outcome.eventId, dedup_id: alert.dedupId }, 'demo alert'),
          (error: unknown) => this.logger.warn({ err: error }, 'demo alert failed'),
        );
      });
    }
    this.schedule(DEMO_CYCLE_SECONDS, () => this.playCycle());
  }

  private schedule(seconds: number, action: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        action();
      },
      seconds * 1000 * this.timeScale,
    );
    timer.unref();
    this.timers.add(timer);
  }
}

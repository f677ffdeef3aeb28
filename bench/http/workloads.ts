/**
 * The request bodies of the HTTP benchmark. Every alert is a new one (its own dedup id or
 * fingerprint), on a device of the topology, so each is stored and decided.
 */

const SEVERITIES = ['critical', 'high', 'medium'] as const;

/** The same alerts in the formats each receiver takes. */
export interface Workload {
  readonly name: string;
  /** Alerts per request. */
  readonly batch: number;
  /** The path and body for Faultline (and the echo server, which only parses the body). */
  readonly path: string;
  body(i: number): string;
  /** The same alerts for Alertmanager's own API. */
  alertmanagerBody(i: number): string;
}

interface AlertSpec {
  readonly key: string;
  readonly device: string;
  readonly severity: (typeof SEVERITIES)[number];
  readonly message: string;
}

function alertsOf(run: string, devices: readonly string[], i: number, batch: number): AlertSpec[] {
  return Array.from({ length: batch }, (_, j) => {
    const n = i * batch + j;
    const device = devices[(n * 7919) % devices.length]!;
    return {
      key: `${run}-${n}`,
      device,
      severity: SEVERITIES[n % SEVERITIES.length]!,
      message: `${device}: check failed (${n})`,
    };
  });
}

const generic = (a: AlertSpec) => ({
  source: 'bench',
  severity: a.severity,
  status: 'triggered',
  message: a.message,
  dedup_id: a.key,
  target: { type: 'device', identifier: a.device },
});

const STARTS_AT = new Date().toISOString();

const amLabels = (a: AlertSpec) => ({
  alertname: 'CheckFailed',
  instance: `${a.device}:9100`,
  severity: a.severity,
  id: a.key,
});

/** One alert as Alertmanager's webhook sends it to a receiver. */
const webhookAlert = (a: AlertSpec) => ({
  status: 'firing',
  labels: amLabels(a),
  annotations: { summary: a.message },
  startsAt: STARTS_AT,
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: a.key,
});

/** One alert as Prometheus posts it to Alertmanager's /api/v2/alerts. */
const postableAlert = (a: AlertSpec) => ({
  labels: amLabels(a),
  annotations: { summary: a.message },
  startsAt: STARTS_AT,
});

const PLUGIN = '/api/plugins/business-application';

export function genericWorkload(run: string, devices: readonly string[], batch: number): Workload {
  return {
    name: batch === 1 ? 'generic, 1 alert/request' : `generic, ${batch} alerts/request`,
    batch,
    path: `${PLUGIN}/alerts/generic/`,
    body: (i) => {
      const alerts = alertsOf(run, devices, i, batch).map(generic);
      return JSON.stringify(batch === 1 ? alerts[0] : alerts);
    },
    alertmanagerBody: (i) => JSON.stringify(alertsOf(run, devices, i, batch).map(postableAlert)),
  };
}

export function alertmanagerWorkload(
  run: string,
  devices: readonly string[],
  batch: number,
): Workload {
  return {
    name: batch === 1 ? 'alertmanager, 1 alert/request' : `alertmanager, ${batch} alerts/request`,
    batch,
    path: `${PLUGIN}/alerts/alertmanager/`,
    body: (i) =>
      JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'faultline',
        groupKey: `{}:{run="${run}",i="${i}"}`,
        alerts: alertsOf(run, devices, i, batch).map(webhookAlert),
      }),
    alertmanagerBody: (i) => JSON.stringify(alertsOf(run, devices, i, batch).map(postableAlert)),
  };
}

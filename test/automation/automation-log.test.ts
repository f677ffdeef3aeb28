import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { PLUGIN, startHarness, type Harness } from '../support/harness.js';
import {
  PATHS,
  START,
  alertBody,
  at,
  dependsOn,
  incidents,
  send as sendAlert,
  service,
  shopTopology,
  type ShopTopology,
} from './automation-fixtures.js';

const AUTOMATION = `${PLUGIN}/incident-automation`;

/** The score's five terms, as every logged decision carries them. */
const COMPONENTS = [
  'dependency',
  'infrastructure',
  'service_overlap',
  'severity_bonus',
  'time_factor',
];

/** The lines of `file` that contain `text`, as `grep text file` prints them. */
function grep(file: string, text: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(text));
}

/** Waits until `grep(file, text)` finds at least `count` lines (the log is written behind). */
async function lines(file: string, text: string, count: number): Promise<string[]> {
  for (let i = 0; i < 500; i++) {
    const found = grep(file, text);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return grep(file, text);
}

describe.each(engines())('the automation log (LOG_FILE) on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-log-'));
  const file = join(dir, 'log', 'incident_automation.log');
  let h: Harness;
  let shop: ShopTopology;

  beforeAll(async () => {
    h = await startHarness(engine, { LOG_FILE: file });
    h.clock.set(START);
    shop = await shopTopology(h);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (dedup: string, on: [string, number], status = 'triggered') =>
    h.call('POST', PATHS.events, {
      body: alertBody({ source: shop.source.id, dedup, on, status: status as 'ok' }),
    });

  it('lets the guide’s greps find creations and decisions with their scores', async () => {
    await send('db-down', ['device', shop.dbHost.id]);
    await send('orders-5xx', ['technical_service', shop.ordersApi.id]);
    await send('mail-queue', ['technical_service', shop.mail.id]);
    await send('billing-ok', ['technical_service', shop.billingApi.id], 'ok');

    const created = await lines(file, 'Created new incident', 2);
    const decisions = await lines(file, 'correlation_score', 4);

    expect(created).toHaveLength(2);
    for (const line of created) {
      expect(JSON.parse(line)).toMatchObject({
        level: 'INFO',
        msg: 'Created new incident',
        incident_id: expect.any(Number),
        event_id: expect.any(Number),
        correlation_score: null,
      });
    }
    expect(decisions).toHaveLength(4);
    const actions = decisions.map((line) => JSON.parse(line).correlation_action);
    expect(actions).toEqual(['created', 'joined', 'created', 'skipped']);
    const joined = JSON.parse(decisions[1]!);
    expect(joined.correlation_score).toBeGreaterThan(0.3);
    expect(Object.keys(joined.correlation_components).sort()).toEqual(COMPONENTS);
    for (const term of COMPONENTS)
      expect(joined.correlation_components[term]).toEqual(expect.any(Number));
    expect(JSON.parse(created[0]!).correlation_components).toBeNull();
    expect(grep(file, 'ERROR')).toEqual([]);
  });

  it('keeps writing after logrotate truncates the file (copytruncate)', async () => {
    await lines(file, 'correlation_score', 1);
    truncateSync(file, 0);

    await send('late-ok', ['technical_service', shop.mail.id], 'ok');
    const after = await lines(file, 'correlation_score', 1);

    const text = readFileSync(file, 'utf8');
    expect(after).toHaveLength(1);
    // Appending writes land at the new end: no hole of NUL bytes where the old lines were.
    expect(text.startsWith('{')).toBe(true);
    expect(text).not.toContain('\u0000');
  });

  // Last: it breaks the automation on purpose.
  it('lets grep ERROR find a failure inside the automation', async () => {
    // A failure inside the automation: its table is gone.
    await h.faultline.database.db.schema.dropTable('incident_timeline').execute();
    const failed = await send('web-down', ['technical_service', shop.webShop.id]);
    expect(failed.status).toBe(500);

    const errors = await lines(file, 'ERROR', 1);
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({
      level: 'ERROR',
      error_id: failed.body.error_id,
    });
  });
});

describe.each(engines())('dry runs and regroupings in the automation log on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-log-'));
  const offFile = join(dir, 'off', 'incident_automation.log');
  const onFile = join(dir, 'on', 'incident_automation.log');
  let off: Harness;
  let on: Harness;

  beforeAll(async () => {
    off = await startHarness(engine, {
      LOG_FILE: offFile,
      BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false',
    });
    on = await startHarness(engine, { LOG_FILE: onFile });
    for (const h of [off, on]) h.clock.set(START);
  });
  afterAll(async () => {
    await off.close();
    await on.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs no decision of a dry run where the guide’s greps look', async () => {
    const shop = await shopTopology(off);
    const db = await sendAlert(off, {
      source: shop.source.id,
      dedup: 'db',
      on: ['device', shop.dbHost.id],
    });
    await sendAlert(off, {
      source: shop.source.id,
      dedup: 'orders',
      on: ['technical_service', shop.ordersApi.id],
    });
    await lines(offFile, 'correlation_score', 2);

    const previews = [
      await off.call('POST', `${AUTOMATION}/process-event/`, {
        body: { event_id: db.id, dry_run: true },
      }),
      await off.call('POST', `${AUTOMATION}/process-unprocessed/`, { body: { dry_run: true } }),
      await off.call('POST', `${AUTOMATION}/force-correlate/`, { body: { dry_run: true } }),
    ];
    expect(previews.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(previews[1]!.body).toMatchObject({ created: 1, joined: 1 });
    const real = await off.call('POST', `${AUTOMATION}/process-unprocessed/`, { body: {} });
    expect(real.body).toMatchObject({ created: 1, joined: 1 });
    await lines(offFile, 'Event joined incident', 1);

    // The log is written in order: the real run's lines are the last ones.
    const [incident] = await incidents(off);
    const created = grep(offFile, 'Created new incident');
    expect(created).toHaveLength(1);
    expect(JSON.parse(created[0]!)).toMatchObject({ incident_id: incident.id, event_id: db.id });
    // The two events skipped on arrival (automation off), then the two real decisions.
    const decisions = grep(offFile, 'correlation_score').map((line) => JSON.parse(line));
    expect(decisions.map((d) => d.correlation_action)).toEqual([
      'skipped',
      'skipped',
      'created',
      'joined',
    ]);
    expect(grep(offFile, 'would ')).toEqual([]);
  });

  it('says a regrouping re-formed an incident, not that it created one', async () => {
    const shop = await shopTopology(on);
    const payments = await service(on, 'payments');
    const checkout = await service(on, 'checkout');
    const first = await sendAlert(on, {
      source: shop.source.id,
      dedup: 'pay',
      on: ['technical_service', payments.id],
    });
    on.clock.set(at(1));
    await sendAlert(on, {
      source: shop.source.id,
      dedup: 'chk',
      on: ['technical_service', checkout.id],
    });
    await dependsOn(on, checkout, payments);
    await lines(onFile, 'Created new incident', 2);

    const dry = await on.call('POST', `${AUTOMATION}/force-correlate/`, {
      body: { hours: 2, dry_run: true },
    });
    const real = await on.call('POST', `${AUTOMATION}/force-correlate/`, { body: { hours: 2 } });
    expect(dry.body).toMatchObject({ incidents_after: 1 });
    expect(real.body).toMatchObject({ incidents_after: 1, events_moved: 1 });

    const reformed = await lines(onFile, 'Re-formed incident', 1);
    const joined = await lines(onFile, 'Event joined incident', 1);
    expect(reformed).toHaveLength(1);
    expect(JSON.parse(reformed[0]!)).toMatchObject({
      level: 'INFO',
      incident_id: first.incidents[0].id,
      event_id: first.id,
      correlation_action: 'created',
      incident_reformed: true,
      correlation_score: null,
    });
    expect(joined).toHaveLength(1);
    const join = JSON.parse(joined[0]!);
    expect(join).toMatchObject({
      incident_id: first.incidents[0].id,
      correlation_action: 'joined',
    });
    expect(Object.keys(join.correlation_components).sort()).toEqual(COMPONENTS);
    expect(grep(onFile, 'Created new incident')).toHaveLength(2);
    expect(grep(onFile, 'would ')).toEqual([]);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, alertBody, shopTopology, type ShopTopology } from './automation-fixtures.js';

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

  it('lets the guide’s three greps find creations, decisions with scores, and errors', async () => {
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
    expect(grep(file, 'ERROR')).toEqual([]);

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
});

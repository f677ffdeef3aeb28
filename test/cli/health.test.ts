import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LATEST_SCHEMA_VERSION } from '../../src/store/migrate.js';
import { faultline } from '../support/cli.js';
import { engines } from '../support/databases.js';
import { make, openWorkspace, type Workspace } from './workspace.js';

async function health(env: Record<string, string>, ...argv: string[]) {
  const result = await faultline([...argv, 'health'], env);
  return { status: result.status, report: JSON.parse(result.lines.join('\n')) };
}

describe.each(engines())('faultline health on %s', (engine) => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace(engine, { BUSINESS_APP_AUTO_INCIDENTS_ENABLED: 'false' });
  });
  afterAll(async () => {
    await ws.close();
  });

  it('reports the settings, the database and the backlog, and exits 0', async () => {
    const host = await make(ws, '/api/dcim/devices/', { name: 'db-host-01' });
    await make(ws, 'technical-services/', { name: 'database', devices: [host.id] });
    await make(ws, 'events/', {
      message: 'db down',
      dedup_id: 'db',
      status: 'triggered',
      criticality: 'critical',
      object_type: 'device',
      object_id: host.id,
    });

    const { status, report } = await health(ws.env);

    expect(status).toBe(0);
    expect(report).toEqual({
      healthy: true,
      enabled: true,
      auto_resolve_enabled: false,
      notifications_enabled: false,
      webhook_count: 0,
      correlation_window_minutes: 15,
      correlation_threshold: 0.3,
      max_dependency_depth: 5,
      configuration_valid: true,
      issues: [],
      database: {
        engine,
        reachable: true,
        schema_version: LATEST_SCHEMA_VERSION,
        latest_schema_version: LATEST_SCHEMA_VERSION,
      },
      backlog: { unprocessed_events: 1, window_hours: 24 },
    });
  });

  it('names each invalid setting with the plugin wording and exits 1', async () => {
    const { status, report } = await health({
      ...ws.env,
      BUSINESS_APP_CORRELATION_THRESHOLD: '1.5',
      BUSINESS_APP_CORRELATION_WINDOW_MINUTES: '0',
      BUSINESS_APP_MAX_DEPENDENCY_DEPTH: '0',
    });

    expect(status).toBe(1);
    expect(report).toMatchObject({
      healthy: false,
      configuration_valid: false,
      correlation_threshold: 1.5,
      correlation_window_minutes: 0,
      max_dependency_depth: 0,
      database: { reachable: true },
    });
    expect(report.issues).toEqual([
      expect.stringMatching(/^CORRELATION_WINDOW_MINUTES must be at least 1 \(/),
      expect.stringMatching(/^MAX_DEPENDENCY_DEPTH must be at least 1 \(/),
      expect.stringMatching(/^CORRELATION_THRESHOLD must be between 0 and 1 \(/),
    ]);
  });

  it('counts notifications switched on without a webhook as an issue', async () => {
    const { status, report } = await health({
      ...ws.env,
      BUSINESS_APP_INCIDENT_NOTIFICATIONS_ENABLED: 'true',
    });

    expect(status).toBe(1);
    expect(report.configuration_valid).toBe(false);
    expect(report.issues[0]).toMatch(/BUSINESS_APP_NOTIFICATION_WEBHOOKS is empty/);
  });
});

describe('faultline health without a usable database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-health-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('says a missing SQLite file is missing, and does not create it', async () => {
    const path = join(dir, 'missing.db');
    const { status, report } = await health({ DATABASE_URL: `sqlite:${path}` });

    expect(status).toBe(1);
    expect(report.database).toMatchObject({ reachable: false, schema_version: null });
    expect(report.issues).toEqual([expect.stringMatching(/^database unreachable: .*missing\.db/)]);
    expect(report.backlog.unprocessed_events).toBeNull();
  });

  it('asks for a migration when the schema is behind', async () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');

    const { status, report } = await health({ DATABASE_URL: `sqlite:${path}` });

    expect(status).toBe(1);
    expect(report.database).toMatchObject({ reachable: true, schema_version: null });
    expect(report.issues).toEqual([expect.stringMatching(/run faultline migrate$/)]);
  });

  it('reports a PostgreSQL server that does not answer', async () => {
    const { status, report } = await health({
      DATABASE_URL: 'postgres://faultline@127.0.0.1:9/none',
    });

    expect(status).toBe(1);
    expect(report.database).toMatchObject({ engine: 'postgres', reachable: false });
  });

  it('reports a config file that cannot be read', async () => {
    const path = join(dir, 'settings.json');
    writeFileSync(path, '{ not json');

    const { status, report } = await health(
      { DATABASE_URL: `sqlite:${join(dir, 'none.db')}` },
      '--config',
      path,
    );

    expect(status).toBe(1);
    expect(report.configuration_valid).toBe(false);
    expect(report.issues[0]).toBe(`config file ${path} is not valid JSON`);
  });
});

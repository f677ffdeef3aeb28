import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { TokenStore } from '../../src/api/token-store.js';
import { systemClock } from '../../src/clock.js';
import { VERSION } from '../../src/faultline.js';
import { openDatabase } from '../../src/store/database.js';
import { faultline } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
let databases = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Checks a key against the database the way the API does. */
async function checkKey(path: string, key: string) {
  const database = openDatabase({ kind: 'sqlite', path });
  try {
    return await new TokenStore(database.db, systemClock).check(key);
  } finally {
    await database.close();
  }
}

const KEY = /^[0-9a-f]{40}$/;
const LIST_HEADER = 'id\tname\tkey\twrite\tcreated\tlast_used\texpires';

let dbPath = '';
let env: NodeJS.ProcessEnv = {};

beforeEach(() => {
  dbPath = join(dir, `db-${++databases}`, 'faultline.db');
  env = { DATABASE_URL: `sqlite:${dbPath}` };
});

describe('faultline migrate', () => {
  it('prints the migrations it applied and the schema version', async () => {
    const result = await faultline(['migrate'], env);

    expect(result.status).toBe(0);
    expect(result.errors).toEqual([]);
    expect(existsSync(dbPath)).toBe(true);
    const applied = result.lines.slice(0, -1);
    expect(applied.length).toBeGreaterThan(0);
    for (const line of applied) expect(line).toMatch(/^applied \d{3}-[a-z0-9-]+$/);
    const newest = applied[applied.length - 1]?.slice('applied '.length);
    expect(result.lines[result.lines.length - 1]).toBe(`schema is at ${newest}`);
  });

  it('applies nothing the second time', async () => {
    const first = await faultline(['migrate'], env);

    const second = await faultline(['migrate'], env);

    expect(second.status).toBe(0);
    expect(second.errors).toEqual([]);
    expect(second.lines).toEqual([first.lines[first.lines.length - 1]]);
  });
});

describe('faultline tokens create', () => {
  it('prints the key alone, and the key is a read-only token', async () => {
    const result = await faultline(['tokens', 'create', '--name', 'grafana'], env);

    expect(result.status).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.lines).toHaveLength(1);
    const key = result.lines[0] ?? '';
    expect(key).toMatch(KEY);
    const check = await checkKey(dbPath, key);
    expect(check).toMatchObject({ ok: true, token: { name: 'grafana', writeEnabled: false } });
  });

  it('makes a write token with --write', async () => {
    const result = await faultline(['tokens', 'create', '--name', 'ci', '--write'], env);

    expect(result.status).toBe(0);
    expect(result.lines).toHaveLength(1);
    const check = await checkKey(dbPath, result.lines[0] ?? '');
    expect(check).toMatchObject({ ok: true, token: { name: 'ci', writeEnabled: true } });
  });

  it('gives each token its own key', async () => {
    const first = await faultline(['tokens', 'create', '--name', 'a'], env);
    const second = await faultline(['tokens', 'create', '--name', 'a'], env);

    expect(first.lines[0]).toMatch(KEY);
    expect(second.lines[0]).toMatch(KEY);
    expect(second.lines[0]).not.toBe(first.lines[0]);
  });

  it('sets the expiry given with --expires, in UTC', async () => {
    const argv = ['tokens', 'create', '--name', 'temp', '--expires', '2099-06-30T14:00:00+02:00'];

    const result = await faultline(argv, env);

    expect(result.status).toBe(0);
    const check = await checkKey(dbPath, result.lines[0] ?? '');
    expect(check).toMatchObject({ ok: true, token: { expires: '2099-06-30T12:00:00.000Z' } });
  });

  it('refuses an expiry that has already passed, creating nothing', async () => {
    const argv = ['tokens', 'create', '--name', 'old', '--expires', '2001-01-01T00:00:00Z'];

    const result = await faultline(argv, env);

    expect(result.status).toBe(1);
    expect(result.lines).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^faultline: --expires must be in the future, got 2001-01-01T00:00:00Z \(now \d{4}-/,
    );
    const list = await faultline(['tokens', 'list'], env);
    expect(list.lines).toEqual([LIST_HEADER]);
  });

  it('refuses an expiry that is not a time, creating nothing', async () => {
    const argv = ['tokens', 'create', '--name', 'bad', '--expires', 'next tuesday'];

    const result = await faultline(argv, env);

    expect(result.status).not.toBe(0);
    expect(result.lines).toEqual([]);
    expect(result.errors).toEqual([
      'faultline: --expires must be an ISO 8601 time, got next tuesday',
    ]);
    const list = await faultline(['tokens', 'list'], env);
    expect(list.lines).toEqual([LIST_HEADER]);
  });

  it('refuses to create a token without --name, through the given output', async () => {
    const result = await faultline(['tokens', 'create', '--write'], env);

    expect(result.status).toBe(1);
    expect(result.lines).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('--name');
  });
});

describe('faultline tokens list', () => {
  it('shows every token with its prefix, never its key', async () => {
    const read = (await faultline(['tokens', 'create', '--name', 'reader'], env)).lines[0] ?? '';
    const writeArgs = ['tokens', 'create', '--name', 'writer', '--write'];
    const expiresArgs = ['--expires', '2099-01-01T00:00:00Z'];
    const write = (await faultline([...writeArgs, ...expiresArgs], env)).lines[0] ?? '';

    const result = await faultline(['tokens', 'list'], env);

    expect(result.status).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.lines[0]).toBe(LIST_HEADER);
    const rows = result.lines.slice(1).map((line) => line.split('\t'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual([
      expect.stringMatching(/^\d+$/),
      'reader',
      `${read.slice(0, 8)}…`,
      'no',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      '-',
      '-',
    ]);
    expect(rows[1]).toEqual([
      expect.stringMatching(/^\d+$/),
      'writer',
      `${write.slice(0, 8)}…`,
      'yes',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      '-',
      '2099-01-01T00:00:00.000Z',
    ]);
    const printed = result.lines.join('\n');
    expect(printed).not.toContain(read);
    expect(printed).not.toContain(write);
    expect(printed).not.toMatch(/[0-9a-f]{40}/);
  });

  it('shows only the header for an empty database', async () => {
    const result = await faultline(['tokens', 'list'], env);

    expect(result).toEqual({ status: 0, lines: [LIST_HEADER], errors: [] });
  });
});

describe('faultline tokens revoke', () => {
  async function names(): Promise<string[]> {
    const list = await faultline(['tokens', 'list'], env);
    return list.lines.slice(1).map((line) => line.split('\t')[1] ?? '');
  }

  it('revokes a token by id, and its key stops working', async () => {
    const key = (await faultline(['tokens', 'create', '--name', 'one'], env)).lines[0] ?? '';
    await faultline(['tokens', 'create', '--name', 'two'], env);
    const list = await faultline(['tokens', 'list'], env);
    const id = list.lines[1]?.split('\t')[0] ?? '';

    const result = await faultline(['tokens', 'revoke', id], env);

    expect(result).toEqual({ status: 0, lines: ['revoked 1 token'], errors: [] });
    expect(await names()).toEqual(['two']);
    expect(await checkKey(dbPath, key)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('revokes every token of a name', async () => {
    await faultline(['tokens', 'create', '--name', 'ci'], env);
    await faultline(['tokens', 'create', '--name', 'ci', '--write'], env);
    await faultline(['tokens', 'create', '--name', 'grafana'], env);

    const result = await faultline(['tokens', 'revoke', 'ci'], env);

    expect(result).toEqual({ status: 0, lines: ['revoked 2 tokens'], errors: [] });
    expect(await names()).toEqual(['grafana']);
  });

  it('fails for an unknown id or name and revokes nothing', async () => {
    await faultline(['tokens', 'create', '--name', 'kept'], env);

    const byName = await faultline(['tokens', 'revoke', 'nobody'], env);
    const byId = await faultline(['tokens', 'revoke', '999'], env);

    expect(byName.status).not.toBe(0);
    expect(byName.lines).toEqual([]);
    expect(byName.errors).toEqual(['faultline: no token with id or name nobody']);
    expect(byId.status).not.toBe(0);
    expect(byId.errors).toEqual(['faultline: no token with id or name 999']);
    expect(await names()).toEqual(['kept']);
  });
});

const THRESHOLD_ERROR =
  'faultline: invalid setting BUSINESS_APP_CORRELATION_THRESHOLD=2: ' +
  'must be a number between 0 and 1';

describe('settings on the command line', () => {
  it.each([[['migrate']], [['tokens', 'list']], [['tokens', 'create', '--name', 'x']]])(
    'stops %j on an invalid setting with status 2 and one line',
    async (argv) => {
      const result = await faultline(argv, { ...env, BUSINESS_APP_CORRELATION_THRESHOLD: '2' });

      expect(result).toEqual({ status: 2, lines: [], errors: [THRESHOLD_ERROR] });
      expect(existsSync(dbPath)).toBe(false);
    },
  );

  it('reads the settings from --config FILE, before or after the command', async () => {
    const configured = join(dir, `configured-${databases}`, 'faultline.db');
    const config = join(dir, `config-${databases}.json`);
    writeFileSync(config, JSON.stringify({ DATABASE_URL: `sqlite:${configured}` }));

    const before = await faultline(['--config', config, 'tokens', 'create', '--name', 'a'], {});
    const after = await faultline(['tokens', 'list', '--config', config], {});

    expect(before.status).toBe(0);
    expect(existsSync(configured)).toBe(true);
    expect(after.lines.map((line) => line.split('\t')[1])).toEqual(['name', 'a']);
  });

  it('lets the environment win over --config', async () => {
    const config = join(dir, `config-${databases}.json`);
    writeFileSync(config, JSON.stringify({ DATABASE_URL: 'sqlite::memory:', PORT: 1 }));

    const result = await faultline(['--config', config, 'migrate'], env);

    expect(result.status).toBe(0);
    expect(existsSync(dbPath)).toBe(true);
  });

  it('stops with status 2 and one line on a bad setting in --config', async () => {
    const config = join(dir, `config-${databases}.json`);
    writeFileSync(config, JSON.stringify({ BUSINESS_APP_CORRELATION_THRESHOLD: 2 }));

    const result = await faultline(['--config', config, 'migrate'], env);

    expect(result).toEqual({ status: 2, lines: [], errors: [THRESHOLD_ERROR] });
  });

  it('stops with status 2 when --config names a file that is not JSON', async () => {
    const config = join(dir, `config-${databases}.json`);
    writeFileSync(config, 'DATABASE_URL=sqlite:x.db\n');

    const result = await faultline(['--config', config, 'migrate'], env);

    expect(result).toEqual({
      status: 2,
      lines: [],
      errors: [`faultline: config file ${config} is not valid JSON`],
    });
  });
});

describe('usage', () => {
  it('prints the version through the given output', async () => {
    expect(await faultline(['--version'], env)).toEqual({
      status: 0,
      lines: [VERSION],
      errors: [],
    });
  });

  it('refuses an unknown command with a non-zero status', async () => {
    const result = await faultline(['migrat'], env);

    expect(result.status).toBe(1);
    expect(result.errors.join('\n')).toContain("unknown command 'migrat'");
    expect(existsSync(dbPath)).toBe(false);
  });
});

import type { Command } from 'commander';

import { TokenStore } from '../api/token-store.js';
import { systemClock } from '../clock.js';
import type { Settings } from '../config/settings.js';
import { openDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import type { Output } from './output.js';
import type { SettingsSource } from './settings-source.js';

async function withTokens<T>(settings: Settings, work: (tokens: TokenStore) => Promise<T>) {
  const database = openDatabase(settings.database);
  try {
    await migrateToLatest(database);
    return await work(new TokenStore(database.db, systemClock));
  } finally {
    await database.close();
  }
}

/** The expiry given with --expires, in UTC: a time still to come, or no token would work. */
function parseExpiry(value: string | undefined, now: Date): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`--expires must be an ISO 8601 time, got ${value}`);
  if (time <= now.getTime()) {
    throw new Error(`--expires must be in the future, got ${value} (now ${now.toISOString()})`);
  }
  return new Date(time).toISOString();
}

export function registerTokensCommand(
  program: Command,
  settings: SettingsSource,
  out: Output,
): void {
  const tokens = program.command('tokens').description('Manage API tokens');

  tokens
    .command('create')
    .description('Create a token and print its key (shown only this once)')
    .requiredOption('--name <name>', 'a name to recognise the token by')
    .option('--write', 'allow writes (POST, PUT, PATCH, DELETE)')
    .option('--expires <time>', 'ISO 8601 time after which the token stops working')
    .action(async (options: { name: string; write?: boolean; expires?: string }) => {
      const expires = parseExpiry(options.expires, systemClock.now());
      const { key } = await withTokens(settings(), (store) =>
        store.create({ name: options.name, writeEnabled: options.write === true, expires }),
      );
      out.line(key);
    });

  tokens
    .command('list')
    .description('List tokens (keys are never shown again)')
    .action(async () => {
      const list = await withTokens(settings(), (store) => store.list());
      out.line(['id', 'name', 'key', 'write', 'created', 'last_used', 'expires'].join('\t'));
      for (const t of list) {
        const row = [t.id, t.name, `${t.keyPrefix}…`, t.writeEnabled ? 'yes' : 'no', t.created];
        out.line([...row, t.lastUsed ?? '-', t.expires ?? '-'].join('\t'));
      }
    });

  tokens
    .command('revoke')
    .description('Revoke tokens by id or by name')
    .argument('<id-or-name>')
    .action(async (idOrName: string) => {
      const count = await withTokens(settings(), (store) => store.revoke(idOrName));
      if (count === 0) throw new Error(`no token with id or name ${idOrName}`);
      out.line(`revoked ${count} token${count === 1 ? '' : 's'}`);
    });
}

import type { Command } from 'commander';

import { openDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import type { Output } from './output.js';
import type { SettingsSource } from './settings-source.js';

export function registerMigrateCommand(
  program: Command,
  settings: SettingsSource,
  out: Output,
): void {
  program
    .command('migrate')
    .description('Bring the database schema up to date (serve does this too)')
    .action(async () => {
      const database = openDatabase(settings().database);
      try {
        const report = await migrateToLatest(database);
        for (const name of report.applied) out.line(`applied ${name}`);
        out.line(`schema is at ${report.version}`);
      } finally {
        await database.close();
      }
    });
}

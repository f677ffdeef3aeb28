import type { Command } from 'commander';

import type { Settings } from '../config/settings.js';
import { openDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import type { Output } from './output.js';

export function registerMigrateCommand(
  program: Command,
  settings: () => Settings,
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

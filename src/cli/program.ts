import { Command, CommanderError } from 'commander';

import { ConfigError, loadSettings } from '../config/load-settings.js';
import type { Settings } from '../config/settings.js';
import { VERSION } from '../faultline.js';
import { registerHealthCommand } from './health-command.js';
import { registerMigrateCommand } from './migrate-command.js';
import { registerProcessIncidentsCommand } from './process-incidents-command.js';
import { ExitStatus, type Output } from './output.js';
import { registerServeCommand } from './serve-command.js';
import { registerTokensCommand } from './tokens-command.js';

/** Builds the `faultline` command; `env` and `out` are injected so tests can run it. */
export function buildProgram(env: NodeJS.ProcessEnv, out: Output): Command {
  const program = new Command('faultline')
    .description('Incident automation for NetBox inventories')
    .version(VERSION)
    .option('--config <file>', 'JSON file of settings (the environment wins over it)')
    // Set before the subcommands are added: they copy these settings when created, and a
    // subcommand without the override would end the whole process on a usage error.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.line(text.replace(/\n$/, '')),
      writeErr: (text) => out.error(text.replace(/\n$/, '')),
    });

  const getSettings = (defaults: Record<string, unknown> = {}): Settings =>
    loadSettings(env, program.opts<{ config?: string }>().config, defaults);

  registerServeCommand(program, getSettings, out);
  registerMigrateCommand(program, getSettings, out);
  registerTokensCommand(program, getSettings, out);
  registerProcessIncidentsCommand(program, getSettings, out);
  registerHealthCommand(program, env, () => program.opts<{ config?: string }>().config, out);
  return program;
}

/** Runs the command line; returns the exit status. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  const program = buildProgram(env, out);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ExitStatus) return error.status;
    if (error instanceof ConfigError) {
      out.error(`faultline: ${error.message}`);
      return 2;
    }
    out.error(`faultline: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

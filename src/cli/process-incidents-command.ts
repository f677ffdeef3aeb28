import { Writable } from 'node:stream';

import { InvalidArgumentError, Option, type Command } from 'commander';

import { NotFoundError } from '../app-error.js';
import type { Settings } from '../config/settings.js';
import type { BatchHooks } from '../events/event-batch.js';
import type { ProcessEventResult } from '../events/event-decision.js';
import type { IncidentAutomation } from '../events/incident-automation.js';
import type { CleanupItem } from '../incidents/cleanup.js';
import { createFaultline } from '../faultline.js';
import { createLogger } from '../log/logger.js';
import { ExitStatus, type Output } from './output.js';
import type { SettingsSource } from './settings-source.js';

/** Lines a dry run lists before summing up the rest. */
const LISTED = 10;

export interface ProcessOptions {
  readonly mode: 'process' | 'reprocess' | 'cleanup';
  readonly hours: number;
  readonly eventId?: number;
  readonly dryRun: boolean;
  readonly forceCorrelate: boolean;
  readonly purge: boolean;
  /** 0 quiet, 1 normal, 2 each event and decision, 3 also the automation log on stderr. */
  readonly verbosity: number;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a whole number, at least 1.');
  }
  return n;
}

const shorten = (text: string, length = 50) =>
  text.length > length ? text.slice(0, length) : text;

/** A stream that hands each written line to the command's error output (standard error). */
function linesTo(out: Output): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') out.error(line);
      done();
    },
  });
}

/** The command's printing, by verbosity. */
class Report {
  constructor(
    private readonly out: Output,
    private readonly verbosity: number,
  ) {}

  /** Shown at the given verbosity and above. */
  line(text: string, level = 1): void {
    if (this.verbosity >= level) this.out.line(text);
  }

  error(text: string): void {
    this.out.error(text);
  }

  decision(result: ProcessEventResult, level: number): void {
    const c = result.correlation;
    if (c === null) {
      if (result.reason !== null) this.line(`  ${result.reason}`, level);
      return;
    }
    const score = c.score === null ? 'no score' : `score ${c.score.toFixed(3)}`;
    const reason = c.reason === null ? '' : `: ${c.reason}`;
    this.line(
      `  correlation: ${c.action}${reason}, ${score} (threshold ${c.threshold}), ` +
        `${c.candidates.length} candidates`,
      level,
    );
  }
}

async function processOne(
  automation: IncidentAutomation,
  id: number,
  options: ProcessOptions,
  report: Report,
): Promise<number> {
  let result: ProcessEventResult;
  try {
    result = await automation.processEvent(id, options.dryRun);
  } catch (error) {
    if (error instanceof NotFoundError) {
      report.error(`Event ${id} not found`);
      return 1;
    }
    throw error;
  }
  report.line(`Processing event ${id}: ${result.event_message}`);
  if (options.dryRun) {
    report.line('Would process this event for incident creation');
    if (result.action === 'none')
      report.line(`No incident action would be taken: ${result.reason}`);
    else if (result.action === 'created')
      report.line(`Would create incident: ${result.incident_title}`);
    else
      report.line(
        `Would ${result.action === 'joined' ? 'join' : 'reopen'} incident ` +
          `${result.incident_id}: ${result.incident_title}`,
      );
  } else if (result.action === 'none') {
    report.line(`No incident action taken for event ${id}`);
  } else {
    report.line(`Event ${id} processed - Incident ${result.incident_id}: ${result.incident_title}`);
  }
  report.decision(result, 2);
  return 0;
}

/** Per-event lines at verbosity 2 and above. */
function eachEvent(report: Report, dryRun: boolean): BatchHooks['each'] {
  return (event, result) => {
    if (result instanceof Error) {
      report.error(`Error processing event ${event.id}: ${result.message}`);
      return;
    }
    report.line(`Processing event ${event.id}: ${event.message}`, 2);
    if (result.action === 'none') {
      report.line(`No incident action ${dryRun ? 'would be ' : ''}taken for event ${event.id}`, 2);
    } else {
      const verb = dryRun ? `Event ${event.id} would be processed` : `Event ${event.id} processed`;
      report.line(`${verb} - Incident ${result.incident_id}: ${result.incident_title}`, 2);
    }
    report.decision(result, 3);
  };
}

async function processMode(
  automation: IncidentAutomation,
  options: ProcessOptions,
  report: Report,
): Promise<number> {
  const { hours, dryRun } = options;
  const found: BatchHooks['found'] = (events) => {
    report.line(`Found ${events.length} unprocessed events in the last ${hours} hours`, 0);
    if (!dryRun) return;
    for (const event of events.slice(0, LISTED)) {
      report.line(`Would process: ${event.id} - ${shorten(event.message)}...`);
    }
    if (events.length > LISTED) report.line(`... and ${events.length - LISTED} more events`);
  };
  const result = await automation.processUnprocessed(
    { hours, dryRun },
    { found, each: eachEvent(report, dryRun) },
  );
  const tally =
    `${result.created} new incidents, ${result.joined} joined, ${result.reopened} reopened, ` +
    `${result.no_action} without action, ${result.errors} errors`;
  if (dryRun) {
    report.line(`Would process ${result.events_processed} events: ${tally}`);
    return 0;
  }
  report.line(`Successfully processed ${result.events_processed} events`, 0);
  report.line(`  ${tally}`);
  return result.errors > 0 ? 1 : 0;
}

async function reprocessMode(
  automation: IncidentAutomation,
  options: ProcessOptions,
  report: Report,
): Promise<number> {
  const { hours, dryRun } = options;
  const reprocessing = (n: number) =>
    report.line(`Found ${n} events to reprocess in the last ${hours} hours`, 0);
  if (options.forceCorrelate) {
    const result = await automation.forceCorrelate({ hours, dryRun });
    reprocessing(result.total_events_reprocessed);
    const groups = `${result.incidents_before} incidents before, ${result.incidents_after} after`;
    if (dryRun) {
      report.line('Would reprocess all these events for better correlation');
      report.line(`Would move ${result.events_moved} events: ${groups}`);
    } else {
      report.line(
        `Reprocessed ${result.total_events_reprocessed} events, ` +
          `updated correlation for ${result.events_moved} events`,
        0,
      );
      report.line(`  ${groups}`);
    }
    if (result.removed_incidents.length > 0) {
      const verb = dryRun ? 'Would remove' : 'Removed';
      report.line(`${verb} emptied incidents: ${result.removed_incidents.join(', ')}`);
    }
    for (const group of result.after) {
      const label = group.incident_id === null ? 'no incident' : `incident ${group.incident_id}`;
      const fresh = group.new === true ? ' (new)' : '';
      report.line(`  ${label}${fresh}: events ${group.event_ids.join(', ')}`, 2);
    }
    return 0;
  }

  const result = await automation.reprocess(
    { hours, dryRun },
    { found: (_loose, total) => reprocessing(total), each: eachEvent(report, dryRun) },
  );
  const updated = result.created + result.joined + result.reopened;
  if (dryRun) {
    report.line('Would reprocess all these events for better correlation');
    report.line(
      `Would reprocess ${result.events_processed} events in no incident; ` +
        `${updated} would get one (add --force-correlate to regroup the others too)`,
    );
    return 0;
  }
  report.line(
    `Reprocessed ${result.events_processed} events, updated correlation for ${updated} events`,
    0,
  );
  return result.errors > 0 ? 1 : 0;
}

function listItems(report: Report, verb: string, items: readonly CleanupItem[]): void {
  for (const item of items.slice(0, LISTED))
    report.line(`${verb} incident ${item.id}: ${item.title}`);
  if (items.length > LISTED) report.line(`... and ${items.length - LISTED} more incidents`);
}

async function cleanupMode(
  automation: IncidentAutomation,
  options: ProcessOptions,
  report: Report,
): Promise<number> {
  const { hours, dryRun, purge } = options;
  const result = await automation.cleanup({ hours, dryRun, purge });
  report.line(
    `Found ${result.resolved.length} monitoring incidents to resolve and ` +
      `${result.closed.length} resolved incidents to close, ended over ${hours} hours ago`,
    0,
  );
  const purged =
    `${result.purged_incidents.length} closed incidents and ` +
    `${result.purged_events} cleared events`;
  if (dryRun) {
    listItems(report, 'Would resolve', result.resolved);
    listItems(report, 'Would close', result.closed);
    if (purge) report.line(`Would delete ${purged}`);
    return 0;
  }
  report.line(`Resolved ${result.resolved.length} incidents`);
  report.line(`Closed ${result.closed.length} incidents`);
  if (purge) report.line(`Deleted ${purged}`);
  const total = result.resolved.length + result.closed.length + result.purged_incidents.length;
  report.line(`Cleanup completed: ${total} incidents processed`, 0);
  return 0;
}

/**
 * The guide's `process_incidents` command. It opens the configured database itself, so it works
 * with or without a running server; its decisions take the same lock as the server's.
 */
export async function processIncidents(
  settings: Settings,
  options: ProcessOptions,
  out: Output,
): Promise<number> {
  const report = new Report(out, options.verbosity);
  const logger = createLogger({
    level: options.verbosity >= 3 ? 'debug' : settings.logLevel,
    file: settings.logFile,
    stdout: options.verbosity >= 3 ? linesTo(out) : false,
  });
  const faultline = await createFaultline({ settings, logger });
  try {
    if (options.dryRun) report.line('DRY RUN MODE - No changes will be made', 0);
    const { automation } = faultline;
    if (options.eventId !== undefined) {
      return await processOne(automation, options.eventId, options, report);
    }
    switch (options.mode) {
      case 'process':
        return await processMode(automation, options, report);
      case 'reprocess':
        return await reprocessMode(automation, options, report);
      case 'cleanup':
        return await cleanupMode(automation, options, report);
    }
  } catch (error) {
    logger.error({ err: error }, 'process_incidents failed');
    throw new Error(`Error during processing: ${(error as Error).message}`);
  } finally {
    await faultline.close();
  }
}

export function registerProcessIncidentsCommand(
  program: Command,
  settings: SettingsSource,
  out: Output,
): void {
  program
    .command('process-incidents')
    .alias('process_incidents')
    .description('Process missed events, regroup recent ones or clean up old incidents')
    .addOption(
      new Option('--mode <mode>', 'processing mode')
        .choices(['process', 'reprocess', 'cleanup'])
        .default('process'),
    )
    .option('--hours <n>', 'hours to look back (every mode)', positiveInteger, 24)
    .option('--event-id <id>', 'process this event only (wins over --mode)', positiveInteger)
    .option('--dry-run', 'show what would be done, change nothing')
    .option(
      '--force-correlate',
      'with --mode reprocess: also regroup events in automatically created incidents',
    )
    .option('--purge', 'with --mode cleanup: delete closed incidents and cleared events too')
    .addOption(
      new Option('-v, --verbosity <level>', '0 quiet … 3 also the automation log on stderr')
        .choices(['0', '1', '2', '3'])
        .default('1'),
    )
    .action(async (raw: Record<string, unknown>) => {
      const options: ProcessOptions = {
        mode: raw.mode as ProcessOptions['mode'],
        hours: raw.hours as number,
        ...(raw.eventId === undefined ? {} : { eventId: raw.eventId as number }),
        dryRun: raw.dryRun === true,
        forceCorrelate: raw.forceCorrelate === true,
        purge: raw.purge === true,
        verbosity: Number(raw.verbosity),
      };
      const status = await processIncidents(settings(), options, out);
      if (status !== 0) throw new ExitStatus(status);
    });
}

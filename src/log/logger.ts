import { dirname } from 'node:path';
import { mkdirSync, openSync } from 'node:fs';

import { pino, type Logger } from 'pino';

import type { LogLevel } from '../config/settings.js';

export type { Logger };

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Also append JSON lines here (opened for append, so logrotate's copytruncate is safe). */
  readonly file: string | null;
  /** Where the console lines go; standard output unless a test says otherwise. */
  readonly stdout?: NodeJS.WritableStream | false;
}

let lastMs = Number.NaN;
let lastTime = '';

/**
 * pino's ISO time field, made once per millisecond: a storm's decisions log hundreds of lines
 * within one.
 */
function isoTime(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = `,"time":"${new Date(ms).toISOString()}"`;
  }
  return lastTime;
}

/**
 * The process logger: JSON lines with upper-case level names (`"level":"ERROR"`, so that
 * `grep ERROR` finds errors), ISO times and snake_case fields.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  // A silent logger still needs a stream level; nothing reaches it.
  const streamLevel = options.level === 'silent' ? 'fatal' : options.level;
  if (options.stdout !== false) {
    // Asynchronous: lines that come while a write is under way go out together with the next
    // one (a storm's decisions cost a write call a batch, not one a line); flushed at exit.
    const stdout = options.stdout ?? pino.destination({ dest: 1, sync: false });
    streams.push({ level: streamLevel, stream: stdout });
  }
  if (options.file !== null) {
    mkdirSync(dirname(options.file), { recursive: true });
    // Opened here, before anything is logged: a process that exits at once still has a file
    // to write its last lines to (opened by the destination itself, it would not yet).
    const fd = openSync(options.file, 'a');
    const file = pino.destination({ dest: fd, sync: false });
    streams.push({ level: streamLevel, stream: file });
  }
  return pino(
    {
      level: options.level,
      base: { service: 'faultline' },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    // One destination needs no fan-out.
    streams.length === 1 ? streams[0]!.stream : pino.multistream(streams),
  );
}

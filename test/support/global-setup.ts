import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL URL for the store and API suites, or null when they are skipped. */
    postgresUrl: string | null;
  }
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let skippedNotice: string | null = null;

/**
 * Decides once whether the PostgreSQL half of the suites runs. FAULTLINE_TEST_POSTGRES=required
 * (CI) makes an unreachable server an error; =off skips it; otherwise it runs when reachable.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const mode = process.env.FAULTLINE_TEST_POSTGRES ?? 'auto';
  const url = process.env.FAULTLINE_TEST_POSTGRES_URL ?? DEFAULT_URL;
  const problem =
    mode === 'off' ? 'switched off by FAULTLINE_TEST_POSTGRES=off' : await reachable(url);

  if (problem !== null && mode === 'required') {
    throw new Error(`PostgreSQL is required for this run but ${url} failed: ${problem}`);
  }
  if (problem !== null) {
    skippedNotice =
      `\n*** PostgreSQL at ${url} is not available (${problem}).\n` +
      '*** The PostgreSQL half of the store and API suites was SKIPPED; only SQLite ran.\n';
    process.stderr.write(skippedNotice);
  }
  project.provide('postgresUrl', problem === null ? url : null);
  return () => {
    if (skippedNotice !== null) process.stderr.write(skippedNotice);
  };
}

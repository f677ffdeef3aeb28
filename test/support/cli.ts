import type { Output } from '../../src/cli/output.js';
import { run } from '../../src/cli/program.js';

/** What one command printed: stdout lines and stderr lines, each call one entry. */
export interface Recorded extends Output {
  readonly lines: string[];
  readonly errors: string[];
}

export function recordOutput(): Recorded {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    line: (text) => {
      lines.push(text);
    },
    error: (text) => {
      errors.push(text);
    },
  };
}

export interface Outcome {
  readonly status: number;
  readonly lines: string[];
  readonly errors: string[];
}

/** Runs the `faultline` command line in this process with `env` as its environment. */
export async function faultline(argv: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const out = recordOutput();
  const status = await run(argv, env, out);
  return { status, lines: out.lines, errors: out.errors };
}

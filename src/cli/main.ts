#!/usr/bin/env node
import { processEnvironment } from '../config/load-settings.js';
import { processOutput } from './output.js';
import { run } from './program.js';

const status = await run(process.argv.slice(2), processEnvironment(), processOutput);
// serve keeps the process alive; every other command ends here.
if (status !== 0 || process.argv[2] !== 'serve') process.exitCode = status;

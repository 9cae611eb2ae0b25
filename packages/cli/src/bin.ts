#!/usr/bin/env node
import { processIO } from './io.js';
import { run } from './program.js';

const controller = new AbortController();
// The first Ctrl-C cancels a login cleanly (the callback server closes); a second one ends the process.
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});
void run(process.argv.slice(2), processIO(controller.signal)).then((code) => {
  process.exitCode = code;
});

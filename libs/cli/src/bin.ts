#!/usr/bin/env node
import { runCli } from './cli.runner';

const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort();
  // A second Ctrl-C does not wait for a clean shutdown.
  process.once('SIGINT', () => process.exit(130));
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
}).then((code) => process.exit(code));

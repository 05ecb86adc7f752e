import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { testEnv } from '../../testing/src/infra.helper';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'libs', 'cli', 'dist', 'bin.js');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The spawned CLI runs the compiled output; the build is incremental. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
}

/** Runs the built `tether` as a user would, with a clean environment apart from the NATS URL. */
export function tether(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        timeout: 45_000,
        env: { PATH: process.env.PATH ?? '', TETHER_NATS_URL: testEnv.natsUrl, ...env },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A readable event line: offset, then the event type. */
const EVENT_LINE = /^ {2}[+-][0-9.ms]+s {2}([a-z]+\.[a-z]+) +\S/;

/** The event types of the readable event lines of an output, in order. */
export function typesOf(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => EVENT_LINE.exec(line)?.[1])
    .filter((t): t is string => t !== undefined);
}

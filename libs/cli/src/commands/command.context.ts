import type { TetherClient } from '@tether/sdk';
import type { CliConfig } from '../cli.config';

/** What a command gets: a connected client, the resolved config, and where to write. */
export interface CommandContext {
  client: TetherClient;
  config: CliConfig;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** For live progress output (a terminal, or nothing is drawn). */
  stderr: NodeJS.WritableStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

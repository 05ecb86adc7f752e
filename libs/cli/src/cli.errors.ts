/** Exit codes of the `tether` command. */
export const ExitCode = {
  Ok: 0,
  /** The run did not succeed, a cancel was rejected, a run has no events, or an unexpected error. */
  Failed: 1,
  /** Unknown command, bad option, bad argument. */
  Usage: 2,
  /** NATS, the streams or a service cannot be reached. */
  Unavailable: 3,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad command line; `command` names the command whose help to point at. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

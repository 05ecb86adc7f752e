import { ValidationError } from '@tether/errors';

/**
 * Errors of the SDK. Guards check `name`, never `instanceof` (see @tether/errors). Bad input
 * from the caller throws `ValidationError`; bad data from the bus throws `InvalidEventError`.
 */

/** Something read from the bus does not match its contract. It is reported, never skipped. */
export class InvalidEventError extends ValidationError {
  constructor(
    message: string,
    problems: string[],
    /** Where it was read: the subject, and the stream sequence when known. */
    readonly subject: string,
    readonly seq?: number,
    options?: { cause?: unknown },
  ) {
    super(message, problems, options);
  }
}

/** Nothing on the bus takes this subject: the streams of the prefix do not exist (the services were never started on it). */
export class StreamUnavailableError extends Error {
  constructor(
    message: string,
    readonly prefix: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StreamUnavailableError';
  }
}

/** A service did not answer a request (not running on this prefix, or too slow). */
export class ServiceUnavailableError extends Error {
  constructor(
    message: string,
    readonly service: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

export function isNoResponders(err: unknown): boolean {
  return (err as { code?: string })?.code === '503';
}

export function isRequestTimeout(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'TIMEOUT' || code === '408';
}

/** Thrown when the audit record was written but the switch itself was not: retry the flip. */
export class SwitchWriteError extends Error {
  constructor(
    message: string,
    readonly flipId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SwitchWriteError';
  }
}

/** A service answered, but not with what its contract promises. Reported, never passed on. */
export class InvalidReplyError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
    readonly service: string,
    readonly op: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}: ${problems.join('; ')}`, options);
    this.name = 'InvalidReplyError';
  }
}

/** A run did not end within the time its waiter allowed. The run itself goes on. */
export class RunEndTimeoutError extends Error {
  constructor(
    readonly runId: string,
    readonly timeoutMs: number,
  ) {
    super(`run ${runId} did not end within ${timeoutMs} ms (it goes on; wait again or cancel it)`);
    this.name = 'RunEndTimeoutError';
  }
}

/** The client was closed while something still waited on it. */
export class ClientClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientClosedError';
  }
}

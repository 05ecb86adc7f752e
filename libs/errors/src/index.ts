/**
 * Coded errors. Guards check `name` (or `code`), never `instanceof`, so errors that crossed a
 * package copy or a serialisation boundary are still recognised.
 */
export abstract class TetherError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: a command, body, file or argument that does not meet its contract. */
export class ValidationError extends TetherError {
  readonly code = 'validation_failed';
  constructor(
    message: string,
    readonly problems: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message, options);
  }
}

/** A command that the current state does not allow (e.g. cancelling a finished run). */
export class IllegalStateError extends TetherError {
  readonly code = 'illegal_state';
}

/** The caller is known but may not do this (no approver role, their own run, …). */
export class ForbiddenError extends TetherError {
  readonly code = 'forbidden';
}

export class NotFoundError extends TetherError {
  readonly code = 'not_found';
}

/** An append whose expected sequence was not the stream's: reload and decide again. */
export class ConcurrencyError extends TetherError {
  readonly code = 'concurrency_conflict';
  constructor(
    message: string,
    readonly expected?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isErrorNamed(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

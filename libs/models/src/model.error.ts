/**
 * A failed model call. `retryable` tells the orchestrator whether a new attempt may succeed
 * (rate limit, timeout, 5xx) or not (bad request, unknown model, exhausted script).
 * Guards check `name` (see `isModelError`), not `instanceof`.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly retryable: boolean;
  /** HTTP status from the provider, when there was one. */
  readonly status?: number;

  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
  }
}

export function isModelError(err: unknown): err is ModelError {
  return (
    typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ModelError'
  );
}

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
  /** How long the provider asked us to wait (`retry-after-ms` / `Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  /** True when the call was refused by an open circuit breaker, without reaching the provider. */
  readonly circuitOpen?: boolean;
  /** True when the caller's signal aborted the call: not a sign of the provider's health. */
  readonly aborted?: boolean;

  constructor(message: string, options: ModelErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.circuitOpen) this.circuitOpen = true;
    if (options.aborted) this.aborted = true;
  }
}

export interface ModelErrorOptions {
  retryable: boolean;
  status?: number;
  cause?: unknown;
  retryAfterMs?: number;
  circuitOpen?: boolean;
  aborted?: boolean;
}

export function isModelError(err: unknown): err is ModelError {
  return (
    typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ModelError'
  );
}

/**
 * Whether an HTTP status from a provider is worth another attempt: 408 (request timeout),
 * 409 (lock conflict), 429 (rate limit), 5xx (incl. Anthropic's 529 "overloaded"). Other 4xx
 * are our fault (bad request, auth, unknown model) and would fail again.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>
  | undefined
  | null;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The wait a provider asked for, in ms: `retry-after-ms` (OpenAI, Anthropic) first, then
 * `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or
 * unparsable; never negative.
 */
export function parseRetryAfter(
  headers: HeaderSource,
  now: number = Date.now(),
): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What a provider adapter knows about a failure, whichever SDK raised it. */
export interface ProviderFailure {
  provider: string;
  /** HTTP status, when the provider answered. */
  status?: number;
  headers?: HeaderSource;
  /** The caller's signal aborted the request. */
  aborted?: boolean;
  /** The request timed out (client-side). */
  timedOut?: boolean;
  message: string;
  cause: unknown;
}

/** Turns a classified provider failure into the one error type the port may throw. */
export function modelErrorFrom(failure: ProviderFailure): ModelError {
  const { provider, status, cause } = failure;
  if (failure.aborted) {
    return new ModelError('aborted', { retryable: true, aborted: true, cause });
  }
  if (failure.timedOut) {
    return new ModelError(`${provider}: request timed out`, { retryable: true, cause });
  }
  if (status === undefined) {
    // No HTTP answer at all: a network failure is transient by nature.
    return new ModelError(`${provider}: connection error: ${failure.message}`, {
      retryable: true,
      cause,
    });
  }
  const retryAfterMs = parseRetryAfter(failure.headers);
  return new ModelError(`${provider}: HTTP ${status}: ${failure.message}`, {
    retryable: isRetryableStatus(status),
    status,
    cause,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

import {
  ExponentialBackoff,
  TimeoutStrategy,
  handleAll,
  retry,
  timeout,
  wrap,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';

/** What one attempt got back from the receiver (a thrown error is a network failure). */
export interface AttemptOutcome {
  status: number;
  /** The receiver's `Retry-After`, already capped; only read on 429 and 5xx. */
  retryAfterMs?: number;
  /** The start of the response body, for the error text of a failed delivery. */
  snippet?: string;
}

export interface DeliveryPolicyOptions {
  timeoutMs: number;
  /** Tries of one delivery, the first included. */
  maxAttempts: number;
  /** Told before each wait: the failed attempt (1-based), its error or outcome, the delay. */
  onRetry?: (event: RetryEvent) => void;
}

export type RetryEvent = ({ error: Error } | { value: AttemptOutcome }) & {
  attempt: number;
  delay: number;
};

/** Worth another try: the receiver is overloaded or broken, and may recover. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * `Retry-After` in delta-seconds, in ms, at most `capMs` (a receiver asking for an hour must
 * not hold a delivery that long). The HTTP-date form is not honoured: webhook receivers send
 * seconds, and a date would need their clock to agree with ours; it falls back to backoff.
 */
export function retryAfterMs(value: string | null, capMs: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed || !/^\d+$/.test(trimmed)) return undefined;
  return Math.min(Number(trimmed) * 1000, capMs);
}

type Context = IRetryBackoffContext<unknown>;

/**
 * Exponential backoff with jitter, except that a receiver's `Retry-After` wins when it sent
 * one. Each step keeps the jittered sequence going, so a later retry without `Retry-After`
 * still backs off from where the sequence was.
 */
function honouringRetryAfter(source: IBackoffFactory<Context>): IBackoffFactory<Context> {
  return {
    next(context): IBackoff<Context> {
      const step = source.next(context);
      const asked =
        'value' in context.result
          ? (context.result.value as AttemptOutcome | undefined)?.retryAfterMs
          : undefined;
      return { duration: asked ?? step.duration, next: honouringRetryAfter(step).next };
    },
  };
}

/**
 * Retries (outer) around a per-attempt timeout (inner): network errors, timeouts, 429 and 5xx
 * are tried again; any other answer ends the delivery. Built per delivery so its retry events
 * belong to one message.
 */
export function deliveryPolicy(options: DeliveryPolicyOptions) {
  const retries = retry(
    handleAll.orWhenResult((r) => isRetryableStatus((r as AttemptOutcome).status)),
    {
      maxAttempts: options.maxAttempts - 1,
      backoff: honouringRetryAfter(new ExponentialBackoff({ initialDelay: 250, maxDelay: 10_000 })),
    },
  );
  const { onRetry } = options;
  if (onRetry) retries.onRetry((event) => onRetry(event as RetryEvent));
  return wrap(retries, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
}

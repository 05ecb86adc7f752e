import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ModelError, isModelError } from './model.error';
import type { ModelProvider, ModelReply, ModelRequest } from './model.port';

export interface ModelCallGuardOptions {
  /** Limit of one call, whatever the provider's own client does. */
  timeoutMs: number;
  breaker?: {
    /** Consecutive retryable failures that open the circuit. Default 5. */
    threshold?: number;
    /** Time an open circuit fails fast before letting one test call through. Default 30 s. */
    halfOpenAfterMs?: number;
  };
}

export type CircuitStatus = 'closed' | 'open' | 'half-open';

export interface ModelCallGuard {
  /** One attempt through the timeout and the `provider/model` circuit. Throws only `ModelError`. */
  call(request: ModelRequest, provider: ModelProvider, signal?: AbortSignal): Promise<ModelReply>;
  /** `half-open` once an open circuit's wait is over: the next call is its test. */
  state(provider: string, modelId: string): CircuitStatus;
}

/**
 * A timeout and a circuit breaker per `provider/modelId` around single model calls. There is
 * no retry here on purpose: retries and fallbacks are the orchestrator's, so each attempt is
 * recorded as an event. Only retryable failures (rate limits, 5xx, timeouts, network) count
 * against a circuit; a bad request says nothing about the provider's health, nor does the
 * caller's own abort.
 */
export function createModelCallGuard(options: ModelCallGuardOptions): ModelCallGuard {
  const threshold = options.breaker?.threshold ?? 5;
  const halfOpenAfterMs = options.breaker?.halfOpenAfterMs ?? 30_000;
  // A call that has returned has nothing left to cancel; aborting its signal anyway (cockatiel's
  // default) builds an AbortError with a stack trace on every call.
  const timeoutPolicy = timeout(options.timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  const circuits = new Map<string, { policy: CircuitBreakerPolicy; openedAt: number }>();

  function circuitFor(key: string) {
    let circuit = circuits.get(key);
    if (!circuit) {
      const policy = circuitBreaker(
        handleWhen((err) => isModelError(err) && err.retryable && !err.aborted),
        { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(threshold) },
      );
      const entry = { policy, openedAt: 0 };
      policy.onBreak(() => {
        entry.openedAt = Date.now();
      });
      circuits.set(key, entry);
      circuit = entry;
    }
    return circuit;
  }

  async function attempt(
    request: ModelRequest,
    provider: ModelProvider,
    signal?: AbortSignal,
  ): Promise<ModelReply> {
    try {
      return await timeoutPolicy.execute(
        ({ signal: inner }) => provider.complete(request, inner),
        signal,
      );
    } catch (err) {
      if (!(err instanceof TaskCancelledError)) throw err;
      if (signal?.aborted) {
        throw new ModelError('aborted', { retryable: true, aborted: true, cause: err });
      }
      throw new ModelError(`timed out after ${options.timeoutMs} ms`, {
        retryable: true,
        cause: err,
      });
    }
  }

  return {
    async call(request, provider, signal) {
      const key = `${provider.name}/${request.model.id}`;
      const circuit = circuitFor(key);
      try {
        return await circuit.policy.execute(() => attempt(request, provider, signal), signal);
      } catch (err) {
        if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
          const left = circuit.openedAt + halfOpenAfterMs - Date.now();
          throw new ModelError(`circuit open for ${key}`, {
            retryable: true,
            circuitOpen: true,
            retryAfterMs: Math.max(0, left),
            cause: err,
          });
        }
        if (isModelError(err)) throw err;
        throw new ModelError(
          `model provider "${provider.name}" failed: ${(err as Error)?.message ?? String(err)}`,
          { retryable: false, cause: err },
        );
      }
    },
    state(providerName, modelId) {
      const circuit = circuits.get(`${providerName}/${modelId}`);
      if (!circuit) return 'closed';
      switch (circuit.policy.state) {
        case CircuitState.Closed:
          return 'closed';
        case CircuitState.HalfOpen:
          return 'half-open';
        case CircuitState.Open:
          return Date.now() - circuit.openedAt >= halfOpenAfterMs ? 'half-open' : 'open';
        case CircuitState.Isolated:
          return 'open';
        default: {
          const never: never = circuit.policy.state;
          throw new Error(`unknown circuit state ${String(never)}`);
        }
      }
    },
  };
}

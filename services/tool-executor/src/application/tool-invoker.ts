import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  IsolatedCircuitError,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  noop,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ReasonCode, type ToolSpec } from '@tether/contracts';
import type { Decided } from '@tether/event-store';
import { safeToRepeat } from '../domain/tool-gate.policy';
import type { ToolContext, ToolHandler } from '../domain/tool-handler';

export interface InvokerOptions {
  /** Consecutive failures that open a tool's circuit. */
  breakerThreshold: number;
  /** How long an open circuit refuses calls before letting one test call through. */
  halfOpenAfterMs: number;
  /** Tries of an idempotent tool, the first included. */
  maxAttempts: number;
}

export const DEFAULT_INVOKER_OPTIONS: InvokerOptions = {
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  maxAttempts: 3,
};

const isRetryable = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'ToolFailure' &&
  (err as { retryable?: boolean }).retryable === true;
/** A refusal is the tool saying no, not the tool being unwell: it never opens a circuit. */
const countsAgainstCircuit = (err: unknown) => (err as { name?: string })?.name !== 'ToolRefusal';

/**
 * One call of a tool under its timeout, its circuit breaker and, for tools declared idempotent,
 * retries with exponential backoff — all from `cockatiel`. Always answers with the event that
 * records the outcome (`tool.completed` or `tool.failed`); never throws.
 */
export class ToolInvoker {
  private readonly circuits = new Map<string, CircuitBreakerPolicy>();

  constructor(private readonly options: InvokerOptions = DEFAULT_INVOKER_OPTIONS) {}

  async invoke(
    spec: ToolSpec,
    handler: ToolHandler,
    args: Record<string, unknown>,
    ctx: Omit<ToolContext, 'signal'>,
    timeoutMs: number,
  ): Promise<Decided> {
    const t0 = performance.now();
    const base = { callId: ctx.callId, tool: spec.name };
    let attempts = 0;
    const policy = wrap(
      // A call that has returned has nothing left to cancel (see the model call guard).
      timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
      spec.idempotent
        ? retry(handleWhen(isRetryable), {
            maxAttempts: this.options.maxAttempts - 1,
            backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 }),
          })
        : noop,
      this.circuitFor(spec),
    );
    try {
      const result = await policy.execute(({ signal }) => {
        attempts += 1;
        return handler(args, { ...ctx, signal });
      });
      return {
        type: 'tool.completed',
        data: {
          ...base,
          // JSON has no undefined: a tool that returned nothing returned null.
          result: result ?? null,
          latencyMs: performance.now() - t0,
          dryRun: false,
          attempts,
        },
      };
    } catch (err) {
      const { reason, retryable, error } = classify(err, spec, timeoutMs);
      return {
        type: 'tool.failed',
        data: {
          ...base,
          reason,
          error,
          retryable,
          latencyMs: performance.now() - t0,
          attempts: Math.max(1, attempts),
        },
      };
    }
  }

  /** One circuit per tool and the place it is served from. */
  private circuitFor(spec: ToolSpec): CircuitBreakerPolicy {
    const key = `${spec.name}@${spec.http?.url ?? spec.nats?.subject ?? spec.mcp ?? 'pack'}`;
    let circuit = this.circuits.get(key);
    if (!circuit) {
      circuit = circuitBreaker(handleWhen(countsAgainstCircuit), {
        halfOpenAfter: this.options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.options.breakerThreshold),
      });
      this.circuits.set(key, circuit);
    }
    return circuit;
  }
}

function classify(
  err: unknown,
  spec: ToolSpec,
  timeoutMs: number,
): { reason: string; retryable: boolean; error: string } {
  const e = err as { name?: string; message?: string; reason?: string; retryable?: boolean };
  if (err instanceof TaskCancelledError) {
    // A call with effects that ran out of time may or may not have happened: only a human
    // can tell, unless repeating it is harmless.
    return safeToRepeat(spec)
      ? { reason: ReasonCode.Timeout, retryable: true, error: `timed out after ${timeoutMs} ms` }
      : {
          reason: ReasonCode.UnknownOutcome,
          retryable: false,
          error: `timed out after ${timeoutMs} ms; the call may or may not have taken effect`,
        };
  }
  if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
    return {
      reason: ReasonCode.CircuitOpen,
      retryable: true,
      error: `${spec.name} failed repeatedly and is paused; it was not called`,
    };
  }
  if (e?.name === 'ToolRefusal') {
    return {
      reason: e.reason ?? ReasonCode.InvalidArguments,
      retryable: false,
      error: e.message ?? 'refused',
    };
  }
  return {
    reason: ReasonCode.ToolError,
    retryable: e?.name === 'ToolFailure' ? e.retryable === true : false,
    error: e?.message ?? String(err),
  };
}

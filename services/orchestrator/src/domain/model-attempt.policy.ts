import type { ModelSpec } from '@tether/contracts';

/**
 * Which model an attempt of a turn uses, and how long to wait before the next attempt. Each
 * model of the chain (the agent's model, then its fallbacks in order) gets `attemptsPerModel`
 * attempts; every attempt is recorded, so the trace shows the whole path.
 */
export interface AttemptPolicy {
  attemptsPerModel: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = {
  attemptsPerModel: 3,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
};

export function modelChain(primary: ModelSpec, fallbacks: readonly ModelSpec[] = []): ModelSpec[] {
  return [primary, ...fallbacks];
}

export function totalAttempts(chain: readonly ModelSpec[], policy: AttemptPolicy): number {
  return chain.length * policy.attemptsPerModel;
}

/** The model of 1-based `attempt`; past the end of the chain, the last model. */
export function modelForAttempt(
  chain: readonly ModelSpec[],
  attempt: number,
  policy: AttemptPolicy,
): ModelSpec {
  const index = Math.floor((Math.max(attempt, 1) - 1) / policy.attemptsPerModel);
  return chain[Math.min(index, chain.length - 1)];
}

/**
 * Delay before the attempt after `attempt`: the provider's Retry-After when it sent one (capped),
 * else exponential backoff with full jitter (`random` in [0, 1) comes from the caller). Moving to
 * the next model of the chain does not wait: that model has its own capacity.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: number,
  policy: AttemptPolicy,
): number {
  if (attempt % policy.attemptsPerModel === 0) return 0;
  if (retryAfterMs !== undefined && retryAfterMs >= 0)
    return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.floor(ceiling * random);
}

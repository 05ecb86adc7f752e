import type { LimitsSpec, ResolvedLimits } from '@tether/contracts';

/** Applied to every limit an agent leaves out. `maxCostUsd` has no default: no dollar cap. */
export const DEFAULT_LIMITS: Readonly<Required<Omit<LimitsSpec, 'maxCostUsd'>>> = Object.freeze({
  maxSteps: 15,
  maxToolCalls: 25,
  maxTokens: 200_000,
  timeoutMs: 90_000,
  asyncTimeoutMs: 1_800_000,
  maxInputChars: 20_000,
});

export function resolveLimits(limits: LimitsSpec | undefined): ResolvedLimits {
  const resolved: ResolvedLimits = {
    maxSteps: limits?.maxSteps ?? DEFAULT_LIMITS.maxSteps,
    maxToolCalls: limits?.maxToolCalls ?? DEFAULT_LIMITS.maxToolCalls,
    maxTokens: limits?.maxTokens ?? DEFAULT_LIMITS.maxTokens,
    timeoutMs: limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
    asyncTimeoutMs: limits?.asyncTimeoutMs ?? DEFAULT_LIMITS.asyncTimeoutMs,
    maxInputChars: limits?.maxInputChars ?? DEFAULT_LIMITS.maxInputChars,
  };
  // Absent rather than `undefined`, so "no cap" and an omitted key hash the same.
  if (limits?.maxCostUsd !== undefined) resolved.maxCostUsd = limits.maxCostUsd;
  return resolved;
}

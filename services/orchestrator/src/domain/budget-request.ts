import {
  RunMode,
  Tier,
  type AgentSpec,
  type ModelSpec,
  type ReserveBudget,
} from '@tether/contracts';
import { resolvePrice, toolPrice, worstCaseCost, type PriceTable } from '@tether/models';
import type { ActiveRun, PendingCall } from '@tether/run-domain';

/**
 * The reservation a model call needs: its worst case, under an id that is the same for the same
 * turn and attempt (so a worker that takes the run over asks for the same hold, not a second
 * one). Undefined for a free model: nothing to hold, no round trip.
 */
export function modelReservation(
  run: ActiveRun,
  model: ModelSpec,
  agent: Pick<AgentSpec, 'instructions' | 'tools'>,
  prices: PriceTable,
): ReserveBudget | undefined {
  const price = resolvePrice(model, prices);
  if (price && isFree(price)) return undefined;
  const bytes =
    Buffer.byteLength(agent.instructions) +
    Buffer.byteLength(JSON.stringify(run.transcript)) +
    Buffer.byteLength(JSON.stringify(agent.tools));
  const amountUsd = worstCaseCost(model, { bytes, messages: run.transcript.length + 1 }, prices);
  return {
    ...common(run, prices),
    reservationId: `res_${run.runId}_m${run.step + 1}_${run.modelAttempt + 1}`,
    kind: 'model',
    item: `${model.provider}:${model.id}`,
    ...(amountUsd !== undefined && { amountUsd }),
  };
}

/**
 * The reservation a priced tool call needs before it runs; undefined for a tool without a price
 * and for a call that will be a dry run (a shadow or dry-run run's tier 1 and 2 tools act on nothing).
 */
export function toolReservation(
  run: ActiveRun,
  call: PendingCall,
  prices: PriceTable,
): ReserveBudget | undefined {
  const amountUsd = toolPrice(call.tool, prices);
  if (amountUsd === undefined) return undefined;
  if (run.mode !== RunMode.Live && call.tier !== Tier.ReadOnly) return undefined;
  return {
    ...common(run, prices),
    reservationId: `res_${run.runId}_${call.callId}`,
    kind: 'tool',
    item: call.tool,
    amountUsd,
  };
}

function common(run: ActiveRun, prices: PriceTable) {
  return {
    tenantId: run.tenantId,
    runId: run.runId,
    userId: run.userId,
    agent: run.agent,
    priceVersion: prices.version,
    ...(run.limits.maxCostUsd !== undefined && { runCapUsd: run.limits.maxCostUsd }),
    // The last answer's real cost replaces its worst case before the next hold is weighed.
    ...(run.lastModelCharge && { settles: [run.lastModelCharge] }),
  };
}

function isFree(price: NonNullable<ReturnType<typeof resolvePrice>>): boolean {
  return (
    price.inputPerMTok === 0 &&
    price.outputPerMTok === 0 &&
    !price.cachedInputPerMTok &&
    !price.reasoningPerMTok
  );
}

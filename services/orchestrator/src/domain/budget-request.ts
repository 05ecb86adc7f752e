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
    toolBytesOf(agent.tools);
  const amountUsd = worstCaseCost(model, { bytes, messages: run.transcript.length + 1 }, prices);
  return {
    ...common(payerOf(run), prices),
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
    ...common(payerOf(run), prices),
    reservationId: `res_${run.runId}_${call.callId}`,
    kind: 'tool',
    item: call.tool,
    amountUsd,
  };
}

/** Who pays: a run, or a run about to start (before it has any state). */
interface Payer {
  tenantId: string;
  runId: string;
  userId: string;
  agent: string;
  runCapUsd?: number;
  lastModelCharge?: ActiveRun['lastModelCharge'];
}

function payerOf(run: ActiveRun): Payer {
  return { ...run, runCapUsd: run.limits.maxCostUsd };
}

function common(payer: Payer, prices: PriceTable) {
  return {
    tenantId: payer.tenantId,
    runId: payer.runId,
    userId: payer.userId,
    agent: payer.agent,
    priceVersion: prices.version,
    ...(payer.runCapUsd !== undefined && { runCapUsd: payer.runCapUsd }),
    // The last answer's real cost replaces its worst case before the next hold is weighed.
    ...(payer.lastModelCharge && { settles: [payer.lastModelCharge] }),
  };
}

/**
 * The reservation of the input classifier's call, asked before the run starts (so from the
 * start command, not from a run's state); undefined for a free classifier model.
 */
export function classifierReservation(
  payer: Omit<Payer, 'lastModelCharge'>,
  model: ModelSpec,
  prompt: { instructions: string; input: string },
  prices: PriceTable,
): ReserveBudget | undefined {
  const price = resolvePrice(model, prices);
  if (price && isFree(price)) return undefined;
  const bytes = Buffer.byteLength(prompt.instructions) + Buffer.byteLength(prompt.input);
  const amountUsd = worstCaseCost(model, { bytes, messages: 2 }, prices);
  return {
    ...common(payer, prices),
    reservationId: `res_${payer.runId}_classifier`,
    kind: 'model',
    item: `${model.provider}:${model.id}`,
    ...(amountUsd !== undefined && { amountUsd }),
  };
}

/** A release's tool schemas never change: their size is measured once, not at every call. */
const toolBytes = new WeakMap<object, number>();
function toolBytesOf(tools: AgentSpec['tools']): number {
  let bytes = toolBytes.get(tools);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(tools));
    toolBytes.set(tools, bytes);
  }
  return bytes;
}

function isFree(price: NonNullable<ReturnType<typeof resolvePrice>>): boolean {
  return (
    price.inputPerMTok === 0 &&
    price.outputPerMTok === 0 &&
    !price.cachedInputPerMTok &&
    !price.reasoningPerMTok
  );
}

import type { ModelPrice, ModelSpec } from '@tether/contracts';
import type { ModelUsage } from './model.port';

/** Bump with every change to `PRICE_TABLE`; budget records carry it so old spend stays explainable. */
export const PRICE_TABLE_VERSION = '2026-11-01';

type Price = Readonly<
  Pick<ModelPrice, 'inputPerMTok' | 'outputPerMTok' | 'cachedInputPerMTok' | 'reasoningPerMTok'>
>;

/**
 * List prices in dollars per million tokens of common pinned ids, keyed `<provider>:<id>`.
 * Only pinned ids: an alias can change model (and price) under us. Anthropic's cache reads are
 * the cached rate; cache writes are not modelled.
 */
export const PRICE_TABLE: Readonly<Record<string, Price>> = Object.freeze({
  'openai:gpt-5-2025-08-07': { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 },
  'openai:gpt-5-mini-2025-08-07': {
    inputPerMTok: 0.25,
    cachedInputPerMTok: 0.025,
    outputPerMTok: 2,
  },
  'openai:gpt-5-nano-2025-08-07': {
    inputPerMTok: 0.05,
    cachedInputPerMTok: 0.005,
    outputPerMTok: 0.4,
  },
  'openai:gpt-4.1-2025-04-14': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  'openai:gpt-4.1-mini-2025-04-14': {
    inputPerMTok: 0.4,
    cachedInputPerMTok: 0.1,
    outputPerMTok: 1.6,
  },
  'openai:gpt-4o-2024-08-06': { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  'openai:gpt-4o-2024-11-20': { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  'openai:gpt-4o-mini-2024-07-18': {
    inputPerMTok: 0.15,
    cachedInputPerMTok: 0.075,
    outputPerMTok: 0.6,
  },
  'openai:o3-2025-04-16': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  'openai:o4-mini-2025-04-16': { inputPerMTok: 1.1, cachedInputPerMTok: 0.275, outputPerMTok: 4.4 },
  'anthropic:claude-opus-4-1-20250805': {
    inputPerMTok: 15,
    cachedInputPerMTok: 1.5,
    outputPerMTok: 75,
  },
  'anthropic:claude-opus-4-20250514': {
    inputPerMTok: 15,
    cachedInputPerMTok: 1.5,
    outputPerMTok: 75,
  },
  'anthropic:claude-sonnet-4-5-20250929': {
    inputPerMTok: 3,
    cachedInputPerMTok: 0.3,
    outputPerMTok: 15,
  },
  'anthropic:claude-sonnet-4-20250514': {
    inputPerMTok: 3,
    cachedInputPerMTok: 0.3,
    outputPerMTok: 15,
  },
  'anthropic:claude-3-7-sonnet-20250219': {
    inputPerMTok: 3,
    cachedInputPerMTok: 0.3,
    outputPerMTok: 15,
  },
  'anthropic:claude-3-5-sonnet-20241022': {
    inputPerMTok: 3,
    cachedInputPerMTok: 0.3,
    outputPerMTok: 15,
  },
  'anthropic:claude-haiku-4-5-20251001': {
    inputPerMTok: 1,
    cachedInputPerMTok: 0.1,
    outputPerMTok: 5,
  },
  'anthropic:claude-3-5-haiku-20241022': {
    inputPerMTok: 0.8,
    cachedInputPerMTok: 0.08,
    outputPerMTok: 4,
  },
});

const FREE: Price = Object.freeze({ inputPerMTok: 0, outputPerMTok: 0 });

/**
 * A versioned price table: model prices keyed `<provider>:<id>`, and a price per call of the
 * tools that cost money (keyed by tool name). Every reservation and ledger entry records the
 * version its amount came from.
 */
export interface PriceTable {
  version: string;
  models: Readonly<Record<string, Price>>;
  tools: Readonly<Record<string, number>>;
}

/** The table shipped with Tether: model list prices, no tool prices. */
export const BUILT_IN_PRICES: PriceTable = Object.freeze({
  version: PRICE_TABLE_VERSION,
  models: PRICE_TABLE,
  tools: Object.freeze({}),
});

type PricedModel = Pick<ModelSpec, 'provider' | 'id' | 'price'>;

const own = (table: Readonly<Record<string, unknown>>, key: string) =>
  Object.prototype.hasOwnProperty.call(table, key);

/**
 * The price that applies to a model: the agent's own `model.price`, else 0 for `scripted`, else
 * the table's. Undefined when unknown: such a model cannot run under a dollar cap.
 */
export function resolvePrice(
  model: PricedModel,
  table: PriceTable = BUILT_IN_PRICES,
): Price | undefined {
  if (model.price) return model.price;
  if (model.provider === 'scripted') return FREE;
  const key = `${model.provider}:${model.id}`;
  return own(table.models, key) ? table.models[key] : undefined;
}

/**
 * Dollars for one call's usage, or undefined when the model has no known price. Cached input is
 * billed at `cachedInputPerMTok` (default: the input rate) and reasoning at `reasoningPerMTok`
 * (default: the output rate); both are parts of the input and output counts (see `ModelUsage`),
 * so they are not billed twice.
 */
export function priceOf(
  model: PricedModel,
  usage: ModelUsage,
  table: PriceTable = BUILT_IN_PRICES,
): number | undefined {
  const price = resolvePrice(model, table);
  if (!price) return undefined;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const microDollars =
    (usage.inputTokens - cached) * price.inputPerMTok +
    cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
    (usage.outputTokens - reasoning) * price.outputPerMTok +
    reasoning * (price.reasoningPerMTok ?? price.outputPerMTok);
  return roundUsd(microDollars / 1e6);
}

/**
 * Dollars for a call's answer: at the price of the model asked for, or, when that is an alias
 * with no price of its own (`claude-sonnet-4-0`), at the price of the dated model that answered.
 * Undefined when neither has a known price.
 */
export function priceOfReply(
  model: PricedModel,
  reply: { model: string; usage: ModelUsage },
  table: PriceTable = BUILT_IN_PRICES,
): number | undefined {
  return (
    priceOf(model, reply.usage, table) ??
    priceOf({ provider: model.provider, id: reply.model }, reply.usage, table)
  );
}

/** Output tokens assumed for the worst case of a model that sets no `maxOutputTokens`. */
export const DEFAULT_WORST_CASE_OUTPUT_TOKENS = 4096;
/** Tokens a provider adds around each message (role markers) and the request itself. */
const MESSAGE_OVERHEAD_TOKENS = 8;
const REQUEST_OVERHEAD_TOKENS = 64;

/**
 * The most one call can cost: every prompt byte counted as a token (a BPE token never encodes
 * less than one byte, so this bounds the real count from above), nothing served from cache, and
 * all of `maxOutputTokens` spent at the dearer of the output and reasoning rates. Undefined when
 * the model has no known price.
 */
export function worstCaseCost(
  model: PricedModel & Pick<ModelSpec, 'maxOutputTokens'>,
  prompt: { bytes: number; messages: number },
  table: PriceTable = BUILT_IN_PRICES,
): number | undefined {
  const price = resolvePrice(model, table);
  if (!price) return undefined;
  const input = prompt.bytes + prompt.messages * MESSAGE_OVERHEAD_TOKENS + REQUEST_OVERHEAD_TOKENS;
  const output = model.maxOutputTokens ?? DEFAULT_WORST_CASE_OUTPUT_TOKENS;
  const outputRate = Math.max(price.outputPerMTok, price.reasoningPerMTok ?? 0);
  return roundUpUsd((input * price.inputPerMTok + output * outputRate) / 1e6);
}

/** A tool's price per call; undefined for a tool that costs nothing. */
export function toolPrice(tool: string, table: PriceTable = BUILT_IN_PRICES): number | undefined {
  return own(table.tools, tool) && table.tools[tool]! > 0 ? table.tools[tool] : undefined;
}

/** Rounded to a billionth of a dollar, so sums of many calls stay free of float noise. */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/** Rounded up: a worst case never shrinks by rounding. */
function roundUpUsd(usd: number): number {
  return Math.max(0, Math.ceil(usd * 1e9 - 1e-6)) / 1e9;
}

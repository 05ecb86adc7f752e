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

type PricedModel = Pick<ModelSpec, 'provider' | 'id' | 'price'>;

/**
 * The price that applies to a model: the agent's own `model.price`, else 0 for `scripted`, else
 * the built-in table. Undefined when unknown: such a model cannot run under a dollar cap.
 */
export function resolvePrice(model: PricedModel): Price | undefined {
  if (model.price) return model.price;
  if (model.provider === 'scripted') return FREE;
  return Object.prototype.hasOwnProperty.call(PRICE_TABLE, `${model.provider}:${model.id}`)
    ? PRICE_TABLE[`${model.provider}:${model.id}`]
    : undefined;
}

/**
 * Dollars for one call's usage, or undefined when the model has no known price. Cached input is
 * billed at `cachedInputPerMTok` (default: the input rate) and reasoning at `reasoningPerMTok`
 * (default: the output rate); both are parts of the input and output counts (see `ModelUsage`),
 * so they are not billed twice.
 */
export function priceOf(model: PricedModel, usage: ModelUsage): number | undefined {
  const price = resolvePrice(model);
  if (!price) return undefined;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const microDollars =
    (usage.inputTokens - cached) * price.inputPerMTok +
    cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
    (usage.outputTokens - reasoning) * price.outputPerMTok +
    reasoning * (price.reasoningPerMTok ?? price.outputPerMTok);
  // Rounded to a billionth of a dollar so sums of many calls stay free of float noise.
  return Math.round(microDollars * 1000) / 1e9;
}

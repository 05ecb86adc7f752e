export type {
  ModelProvider,
  ModelReply,
  ModelRequest,
  ModelToolCall,
  ModelUsage,
} from './model.port';
export {
  ModelError,
  isModelError,
  isRetryableStatus,
  modelErrorFrom,
  parseRetryAfter,
  type ModelErrorOptions,
  type ProviderFailure,
} from './model.error';
export {
  createModelRouter,
  createProviders,
  defaultProviders,
  type ModelRouter,
  type ProvidersConfig,
} from './model.router';
export { createScriptedProvider } from './scripted.provider';
export {
  NO_API_KEY,
  OPENAI_DEFAULT_BASE_URL,
  createOpenAIProvider,
  fromChatCompletion,
  toChatCompletionRequest,
  type OpenAIProviderOptions,
} from './openai.provider';
export {
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  createAnthropicProvider,
  fromMessage,
  toMessagesRequest,
  type AnthropicProviderOptions,
} from './anthropic.provider';
export {
  createModelCallGuard,
  type CircuitStatus,
  type ModelCallGuard,
  type ModelCallGuardOptions,
} from './resilience';
export { FLAGGED_RESULT_WARNING, toolNameCodec, type ToolNameCodec } from './wire';
export {
  BUILT_IN_PRICES,
  DEFAULT_WORST_CASE_OUTPUT_TOKENS,
  PRICE_TABLE,
  PRICE_TABLE_VERSION,
  priceOf,
  resolvePrice,
  priceOfReply,
  toolPrice,
  worstCaseCost,
  type PriceTable,
} from './price.table';
export { PriceTableError, loadPriceTable, mergePriceTable } from './price.file';
export {
  chatErrorType,
  chatRequestAttributes,
  chatResponseAttributes,
  chatSpanName,
  type SpanAttributes,
} from './gen-ai.attributes';

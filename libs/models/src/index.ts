export type {
  ModelProvider,
  ModelReply,
  ModelRequest,
  ModelToolCall,
  ModelUsage,
} from './model.port';
export { ModelError, isModelError } from './model.error';
export { createModelRouter, defaultProviders, type ModelRouter } from './model.router';
export { createScriptedProvider } from './scripted.provider';
export { PRICE_TABLE, PRICE_TABLE_VERSION, priceOf, resolvePrice } from './price.table';

import { ModelError, isModelError } from './model.error';
import type { ModelProvider, ModelReply, ModelRequest } from './model.port';
import { createAnthropicProvider } from './anthropic.provider';
import { createOpenAIProvider } from './openai.provider';
import { createScriptedProvider } from './scripted.provider';

export interface ModelRouter {
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply>;
  /** The provider names it can route to, sorted. */
  providers(): string[];
}

/** The providers that need no configuration. Configured ones (openai, anthropic) are added by the caller. */
export function defaultProviders(): ModelProvider[] {
  return [createScriptedProvider()];
}

/** Keys and addresses of the real providers, read from the service's config (never from `process.env` here). */
export interface ProvidersConfig {
  openaiApiKey?: string;
  anthropicApiKey?: string;
  /** Overrides the OpenAI API address (a proxy, a test server). */
  openaiBaseUrl?: string;
  /** Overrides the Anthropic API address (a proxy, a test server). */
  anthropicBaseUrl?: string;
  /**
   * Key sent to `openai-compatible` servers (LiteLLM, a hosted vLLM…). Never defaults to the
   * OpenAI key: that would hand it to whatever `baseUrl` an agent names.
   */
  openaiCompatibleApiKey?: string;
  /** Client-side limit of one HTTP call to a provider. */
  timeoutMs?: number;
}

/**
 * Every provider: scripted, openai, openai-compatible, anthropic. One without its key still
 * registers, so an agent naming it fails with a clear non-retryable `ModelError` ("… is not set")
 * rather than "no provider".
 */
export function createProviders(config: ProvidersConfig = {}): ModelProvider[] {
  const timeout = config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs };
  return [
    ...defaultProviders(),
    createOpenAIProvider({
      name: 'openai',
      ...(config.openaiApiKey ? { apiKey: config.openaiApiKey } : {}),
      ...(config.openaiBaseUrl ? { baseUrl: config.openaiBaseUrl } : {}),
      ...timeout,
    }),
    createOpenAIProvider({
      name: 'openai-compatible',
      ...(config.openaiCompatibleApiKey ? { apiKey: config.openaiCompatibleApiKey } : {}),
      ...timeout,
    }),
    createAnthropicProvider({
      ...(config.anthropicApiKey ? { apiKey: config.anthropicApiKey } : {}),
      ...(config.anthropicBaseUrl ? { baseUrl: config.anthropicBaseUrl } : {}),
      ...timeout,
    }),
  ];
}

/**
 * Routes each request to the provider named by `request.model.provider`. Adding a provider is
 * one more entry in `providers`. Whatever a provider throws reaches the caller as a `ModelError`.
 */
export function createModelRouter(
  providers: readonly ModelProvider[] = defaultProviders(),
): ModelRouter {
  const byName = new Map<string, ModelProvider>();
  for (const provider of providers) {
    if (byName.has(provider.name))
      throw new Error(`model provider "${provider.name}" is registered twice`);
    byName.set(provider.name, provider);
  }
  const names = [...byName.keys()].sort();

  return {
    providers: () => [...names],
    async complete(request, signal) {
      const name = request.model.provider;
      const provider = byName.get(name);
      if (!provider) {
        throw new ModelError(
          `no model provider "${name}" is configured (available: ${names.join(', ') || 'none'})`,
          { retryable: false },
        );
      }
      try {
        return await provider.complete(request, signal);
      } catch (err) {
        if (isModelError(err)) throw err;
        // A provider bug or an unexpected throw: not known to be transient, so not retried.
        throw new ModelError(
          `model provider "${name}" failed: ${(err as Error)?.message ?? String(err)}`,
          {
            retryable: false,
            cause: err,
          },
        );
      }
    },
  };
}

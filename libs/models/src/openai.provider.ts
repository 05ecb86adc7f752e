import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { ModelError, isModelError, modelErrorFrom } from './model.error';
import type { ModelProvider, ModelReply, ModelRequest, ModelToolCall } from './model.port';
import { jsonText, resultPayload, toolNameCodec, type ToolNameCodec } from './wire';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Sent as the key to an `openai-compatible` server that needs none (vLLM, Ollama…). */
export const NO_API_KEY = 'not-needed';
const DEFAULT_TIMEOUT_MS = 600_000;

export interface OpenAIProviderOptions {
  /** Required for `openai`; optional for `openai-compatible`. */
  apiKey?: string;
  /**
   * `openai`: overrides the API address (a proxy, a test server). `openai-compatible`: the
   * address used when the model has no `baseUrl` of its own.
   */
  baseUrl?: string;
  name?: 'openai' | 'openai-compatible';
  /** Client-side limit of one HTTP call. Default 10 minutes (the SDK's). */
  timeoutMs?: number;
}

/**
 * The `openai` and `openai-compatible` providers over the official SDK's Chat Completions API.
 * The SDK never retries (`maxRetries: 0`): the orchestrator decides, so each attempt is an event.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  const name = options.name ?? 'openai';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clients = new Map<string, OpenAI>();

  function clientFor(request: ModelRequest): OpenAI {
    if (name === 'openai' && !options.apiKey) {
      throw new ModelError('OPENAI_API_KEY is not set', { retryable: false });
    }
    // The OpenAI key is never sent to an agent-chosen address: `openai` ignores `model.baseUrl`.
    const baseURL =
      name === 'openai-compatible'
        ? (request.model.baseUrl ?? options.baseUrl)
        : (options.baseUrl ?? OPENAI_DEFAULT_BASE_URL);
    if (!baseURL) {
      throw new ModelError(`openai-compatible model "${request.model.id}" has no baseUrl`, {
        retryable: false,
      });
    }
    let client = clients.get(baseURL);
    if (!client) {
      client = new OpenAI({
        apiKey: options.apiKey || NO_API_KEY,
        baseURL,
        maxRetries: 0,
        timeout: timeoutMs,
        // Explicit nulls: the SDK would otherwise read OPENAI_* variables; config is the caller's.
        organization: null,
        project: null,
        webhookSecret: null,
      });
      clients.set(baseURL, client);
    }
    return client;
  }

  return {
    name,
    async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
      if (signal?.aborted) {
        throw new ModelError('aborted', { retryable: true, aborted: true, cause: signal.reason });
      }
      const client = clientFor(request);
      const codec = toolNameCodec(request.tools, request.transcript);
      const body = toChatCompletionRequest(request, codec, {
        maxTokensField: name === 'openai' ? 'max_completion_tokens' : 'max_tokens',
      });
      const started = performance.now();
      let response: ChatCompletion;
      try {
        response = await client.chat.completions.create(body, { signal });
      } catch (err) {
        // Elapsed time, not only the SDK's error class: under some runtimes (jest's VM realm)
        // the SDK cannot recognise its own timeout's AbortError and reports a connection error.
        const timedOut = performance.now() - started >= timeoutMs;
        throw openAIFailure(name, err, signal, timedOut);
      }
      return fromChatCompletion(name, response, codec, performance.now() - started);
    },
  };
}

/**
 * The Chat Completions body of a request. Tool results are untrusted data: they travel only as
 * `role: tool` messages (JSON text), never inside the system message.
 */
export function toChatCompletionRequest(
  request: ModelRequest,
  codec: ToolNameCodec = toolNameCodec(request.tools, request.transcript),
  options: { maxTokensField?: 'max_tokens' | 'max_completion_tokens' } = {},
): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  for (const entry of request.transcript) {
    switch (entry.role) {
      case 'user':
        messages.push({ role: 'user', content: entry.content });
        break;
      case 'assistant':
        messages.push({
          role: 'assistant',
          content: entry.content ?? null,
          ...(entry.toolCalls?.length
            ? {
                tool_calls: entry.toolCalls.map((call) => ({
                  id: call.callId,
                  type: 'function' as const,
                  function: { name: codec.toWire(call.name), arguments: JSON.stringify(call.args) },
                })),
              }
            : {}),
        });
        break;
      case 'tool':
        // Chat Completions has no error flag on a tool message: an error is wrapped so the
        // model can tell it from a result.
        messages.push({
          role: 'tool',
          tool_call_id: entry.callId,
          content: jsonText(
            entry.isError ? { error: entry.content } : resultPayload(entry.content, entry.flagged),
          ),
        });
        break;
      default: {
        const never: never = entry;
        throw new ModelError(`unknown transcript entry ${JSON.stringify(never)}`, {
          retryable: false,
        });
      }
    }
  }
  const body: ChatCompletionCreateParamsNonStreaming = { model: request.model.id, messages };
  if (request.tools.length) {
    body.tools = request.tools.map((tool): ChatCompletionTool => ({
      type: 'function',
      function: {
        name: codec.toWire(tool.name),
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input ?? { type: 'object', properties: {} },
      },
    }));
  }
  if (request.model.maxOutputTokens !== undefined) {
    body[options.maxTokensField ?? 'max_completion_tokens'] = request.model.maxOutputTokens;
  }
  return body;
}

/** The port's reply for a Chat Completions response. */
export function fromChatCompletion(
  provider: string,
  response: ChatCompletion,
  codec: ToolNameCodec,
  latencyMs: number,
): ModelReply {
  const choice = response.choices?.[0];
  if (!choice) {
    throw new ModelError(`${provider}: model "${response.model}" answered with no choice`, {
      retryable: true,
    });
  }
  const toolCalls: ModelToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type !== 'function') continue; // custom tools are never offered
    toolCalls.push({
      name: codec.fromWire(call.function.name),
      args: parseToolArguments(
        provider,
        response.model,
        call.function.name,
        call.function.arguments,
      ),
    });
  }
  const usage = response.usage;
  const reply: ModelReply = {
    model: response.model,
    usage: {
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    latencyMs: Math.max(0, latencyMs),
    finishReason: choice.finish_reason ?? 'unknown',
  };
  const text = choice.message.content ?? choice.message.refusal;
  if (text) reply.text = text;
  if (toolCalls.length) reply.toolCalls = toolCalls;
  return reply;
}

function parseToolArguments(
  provider: string,
  model: string,
  tool: string,
  raw: string,
): Record<string, unknown> {
  let args: unknown;
  try {
    // Some compatible servers send "" for a call without arguments.
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (err) {
    throw malformed(provider, model, tool, raw, err);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw malformed(provider, model, tool, raw);
  }
  return args as Record<string, unknown>;
}

function malformed(provider: string, model: string, tool: string, raw: string, cause?: unknown) {
  const shown = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  return new ModelError(
    `${provider}: model "${model}" returned malformed tool arguments for "${tool}" (not a JSON object): ${shown}`,
    { retryable: false, cause },
  );
}

function openAIFailure(
  provider: string,
  err: unknown,
  signal: AbortSignal | undefined,
  timedOut: boolean,
): ModelError {
  if (isModelError(err)) return err;
  if (signal?.aborted || err instanceof OpenAI.APIUserAbortError) {
    return modelErrorFrom({ provider, aborted: true, message: 'aborted', cause: err });
  }
  if (
    err instanceof OpenAI.APIConnectionTimeoutError ||
    (timedOut && err instanceof OpenAI.APIConnectionError)
  ) {
    return modelErrorFrom({ provider, timedOut: true, message: err.message, cause: err });
  }
  if (err instanceof OpenAI.APIError) {
    const body = err.error as { message?: unknown } | undefined;
    return modelErrorFrom({
      provider,
      status: err.status,
      headers: err.headers,
      message: typeof body?.message === 'string' ? body.message : err.message,
      cause: err,
    });
  }
  // Not from the HTTP exchange (a bug, an unexpected body): another attempt would not help.
  return new ModelError(`${provider} failed: ${(err as Error)?.message ?? String(err)}`, {
    retryable: false,
    cause: err,
  });
}

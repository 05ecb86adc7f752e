import { performance } from 'node:perf_hooks';
import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import { ModelError, isModelError, modelErrorFrom } from './model.error';
import type { ModelProvider, ModelReply, ModelRequest, ModelToolCall } from './model.port';
import { jsonText, resultPayload, toolNameCodec, type ToolNameCodec } from './wire';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The Messages API requires `max_tokens`; used when the model sets no `maxOutputTokens`. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_TIMEOUT_MS = 600_000;

export interface AnthropicProviderOptions {
  apiKey?: string;
  /** Overrides the API address (a proxy, a test server). */
  baseUrl?: string;
  /** Client-side limit of one HTTP call. Default 10 minutes (the SDK's). */
  timeoutMs?: number;
}

/**
 * The `anthropic` provider over the official SDK's Messages API. The SDK never retries
 * (`maxRetries: 0`): the orchestrator decides, so each attempt is an event.
 */
export function createAnthropicProvider(options: AnthropicProviderOptions = {}): ModelProvider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: Anthropic | undefined;
  return {
    name: 'anthropic',
    async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
      if (signal?.aborted) {
        throw new ModelError('aborted', { retryable: true, aborted: true, cause: signal.reason });
      }
      if (!options.apiKey) {
        throw new ModelError('ANTHROPIC_API_KEY is not set', { retryable: false });
      }
      client ??= new Anthropic({
        apiKey: options.apiKey,
        baseURL: options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
        maxRetries: 0,
        // Always set: without it the SDK refuses non-streaming calls it estimates as long.
        timeout: timeoutMs,
      });
      const codec = toolNameCodec(request.tools, request.transcript);
      const body = toMessagesRequest(request, codec);
      const started = performance.now();
      let response: Message;
      try {
        response = await client.messages.create(body, { signal });
      } catch (err) {
        // Elapsed time, not only the SDK's error class: under some runtimes (jest's VM realm)
        // the SDK cannot recognise its own timeout's AbortError and reports a connection error.
        const timedOut = performance.now() - started >= timeoutMs;
        throw anthropicFailure(err, signal, timedOut);
      }
      return fromMessage(response, codec, performance.now() - started);
    },
  };
}

/**
 * The Messages API body of a request. Tool results are untrusted data: they travel only as
 * `tool_result` blocks (JSON text), never inside `system`. Consecutive entries of one role are
 * merged, since the API wants user and assistant turns to alternate and all results of one
 * assistant turn in the next user message.
 */
export function toMessagesRequest(
  request: ModelRequest,
  codec: ToolNameCodec = toolNameCodec(request.tools, request.transcript),
): MessageCreateParamsNonStreaming {
  const messages: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (!blocks.length) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) (last.content as ContentBlockParam[]).push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const entry of request.transcript) {
    switch (entry.role) {
      case 'user':
        push('user', [{ type: 'text', text: entry.content }]);
        break;
      case 'assistant': {
        const blocks: ContentBlockParam[] = [];
        if (entry.content) blocks.push({ type: 'text', text: entry.content });
        for (const call of entry.toolCalls ?? []) {
          blocks.push({
            type: 'tool_use',
            id: call.callId,
            name: codec.toWire(call.name),
            input: call.args,
          });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: entry.callId,
            content: jsonText(resultPayload(entry.content, entry.flagged)),
            ...(entry.isError ? { is_error: true } : {}),
          },
        ]);
        break;
      default: {
        const never: never = entry;
        throw new ModelError(`unknown transcript entry ${JSON.stringify(never)}`, {
          retryable: false,
        });
      }
    }
  }
  const body: MessageCreateParamsNonStreaming = {
    model: request.model.id,
    max_tokens: request.model.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  if (request.instructions) body.system = request.instructions;
  if (request.tools.length) {
    body.tools = request.tools.map((tool): Tool => ({
      name: codec.toWire(tool.name),
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: (tool.input ?? { type: 'object' }) as Tool.InputSchema,
    }));
  }
  return body;
}

/**
 * The port's reply for a Messages API response. Cache reads and writes are input tokens too
 * (the API counts them apart from `input_tokens`); reads are also `cachedInputTokens`.
 */
export function fromMessage(
  response: Message,
  codec: ToolNameCodec,
  latencyMs: number,
): ModelReply {
  const texts: string[] = [];
  const toolCalls: ModelToolCall[] = [];
  for (const block of response.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const input = block.input;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new ModelError(
          `anthropic: model "${response.model}" returned malformed tool arguments for "${block.name}" (not a JSON object)`,
          { retryable: false },
        );
      }
      toolCalls.push({ name: codec.fromWire(block.name), args: input as Record<string, unknown> });
    }
  }
  const usage = response.usage;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const reply: ModelReply = {
    model: response.model,
    usage: {
      inputTokens: (usage?.input_tokens ?? 0) + cacheRead + cacheWrite,
      outputTokens: usage?.output_tokens ?? 0,
      cachedInputTokens: cacheRead,
      reasoningTokens: usage?.output_tokens_details?.thinking_tokens ?? 0,
    },
    latencyMs: Math.max(0, latencyMs),
    finishReason: response.stop_reason ?? 'unknown',
  };
  const text = texts.join('');
  if (text) reply.text = text;
  if (toolCalls.length) reply.toolCalls = toolCalls;
  return reply;
}

function anthropicFailure(
  err: unknown,
  signal: AbortSignal | undefined,
  timedOut: boolean,
): ModelError {
  const provider = 'anthropic';
  if (isModelError(err)) return err;
  if (signal?.aborted || err instanceof Anthropic.APIUserAbortError) {
    return modelErrorFrom({ provider, aborted: true, message: 'aborted', cause: err });
  }
  if (
    err instanceof Anthropic.APIConnectionTimeoutError ||
    (timedOut && err instanceof Anthropic.APIConnectionError)
  ) {
    return modelErrorFrom({ provider, timedOut: true, message: err.message, cause: err });
  }
  if (err instanceof Anthropic.APIError) {
    return modelErrorFrom({
      provider,
      status: err.status,
      headers: err.headers,
      message: err.apiMessage ?? err.message,
      cause: err,
    });
  }
  return new ModelError(`${provider} failed: ${(err as Error)?.message ?? String(err)}`, {
    retryable: false,
    cause: err,
  });
}

import type { ModelSpec, ToolSpec } from '@tether/contracts';
import type { TranscriptEntry } from '@tether/run-domain';

/** One model call: everything a provider needs, nothing it must look up. */
export interface ModelRequest {
  runId: string;
  /** The run's tenant, for telemetry; never sent to the provider. */
  tenantId?: string;
  /** 1-based model turn within the run. */
  step: number;
  /** 1-based attempt of that turn. */
  attempt: number;
  model: ModelSpec;
  instructions: string;
  transcript: TranscriptEntry[];
  tools: ToolSpec[];
}

/**
 * Token counts of one call. `cachedInputTokens` is the part of `inputTokens` served from the
 * provider's prompt cache, and `reasoningTokens` the part of `outputTokens` spent on hidden
 * reasoning (OpenAI's convention; other providers are normalised to it).
 */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

export interface ModelToolCall {
  name: string;
  args: Record<string, unknown>;
}

export interface ModelReply {
  /** The exact model id that answered. */
  model: string;
  text?: string;
  toolCalls?: ModelToolCall[];
  usage: ModelUsage;
  latencyMs: number;
  /** `stop`, `tool_calls`, `length`, … as the provider reports it. */
  finishReason: string;
}

/** The port to an LLM provider. Implementations throw `ModelError` and only `ModelError`. */
export interface ModelProvider {
  /** The `model.provider` value it serves (`openai`, `anthropic`, `scripted`, …). */
  readonly name: string;
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply>;
}

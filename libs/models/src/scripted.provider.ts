import { performance } from 'node:perf_hooks';
import type { ScriptedTurn } from '@tether/contracts';
import type { TranscriptEntry } from '@tether/run-domain';
import { ModelError } from './model.error';
import type {
  ModelProvider,
  ModelReply,
  ModelRequest,
  ModelToolCall,
  ModelUsage,
} from './model.port';

/**
 * Plays the agent's `model.script`: deterministic turns for demos, tests, replay and the
 * benchmark. The turn played is the number of assistant entries already in the transcript, so a
 * retried or replayed step gets the same answer. Runs on the benchmark hot path: no I/O, no
 * copying beyond the reply itself.
 */
export function createScriptedProvider(options: { now?: () => number } = {}): ModelProvider {
  const now = options.now ?? (() => performance.now());
  return {
    name: 'scripted',
    async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
      const started = now();
      if (signal?.aborted) {
        throw new ModelError('model call aborted', { retryable: false, cause: signal.reason });
      }
      const script = request.model.script;
      if (!script?.length) {
        throw new ModelError(`scripted model "${request.model.id}" has no script`, {
          retryable: false,
        });
      }
      const turnIndex = countAssistantTurns(request.transcript);
      const turn = script[turnIndex];
      if (turn === undefined) {
        throw new ModelError(
          `script exhausted: model "${request.model.id}" has ${script.length} turn(s), turn ${turnIndex + 1} was requested`,
          { retryable: false },
        );
      }
      const toolCalls = turn.toolCalls?.map((call): ModelToolCall => ({
        name: call.name,
        args: call.args ? structuredClone(call.args) : {},
      }));
      const reply: ModelReply = {
        model: request.model.id,
        usage: usageOf(turn, toolCalls, request.transcript),
        latencyMs: 0,
        finishReason: toolCalls?.length ? 'tool_calls' : 'stop',
      };
      if (turn.text !== undefined) reply.text = turn.text;
      if (toolCalls?.length) reply.toolCalls = toolCalls;
      reply.latencyMs = Math.max(0, now() - started);
      return reply;
    },
  };
}

function countAssistantTurns(transcript: readonly TranscriptEntry[]): number {
  let n = 0;
  for (const entry of transcript) if (entry.role === 'assistant') n++;
  return n;
}

/** The script's own numbers (missing fields are 0), or an estimate at ~4 characters a token. */
function usageOf(
  turn: ScriptedTurn,
  toolCalls: ModelToolCall[] | undefined,
  transcript: readonly TranscriptEntry[],
): ModelUsage {
  const u = turn.usage;
  if (u) {
    return {
      inputTokens: u.inputTokens ?? 0,
      outputTokens: u.outputTokens ?? 0,
      cachedInputTokens: u.cachedInputTokens ?? 0,
      reasoningTokens: u.reasoningTokens ?? 0,
    };
  }
  let outputChars = turn.text?.length ?? 0;
  for (const call of toolCalls ?? []) outputChars += JSON.stringify(call.args).length;
  return {
    inputTokens: Math.ceil(transcriptChars(transcript) / 4),
    outputTokens: Math.ceil(outputChars / 4),
    cachedInputTokens: 0,
    reasoningTokens: 0,
  };
}

/** Characters of text the model would read: contents, tool names and JSON arguments. */
function transcriptChars(transcript: readonly TranscriptEntry[]): number {
  let chars = 0;
  for (const entry of transcript) {
    switch (entry.role) {
      case 'user':
        chars += entry.content.length;
        break;
      case 'assistant':
        chars += entry.content?.length ?? 0;
        for (const call of entry.toolCalls ?? [])
          chars += call.name.length + JSON.stringify(call.args).length;
        break;
      case 'tool':
        chars +=
          typeof entry.content === 'string'
            ? entry.content.length
            : (JSON.stringify(entry.content) ?? '').length;
        break;
      default: {
        const never: never = entry;
        throw new Error(`unknown transcript entry ${JSON.stringify(never)}`);
      }
    }
  }
  return chars;
}

import {
  ModelError,
  chatErrorType,
  chatRequestAttributes,
  chatResponseAttributes,
  chatSpanName,
  type ModelReply,
} from '../src';
import { aRequest } from './support/requests';

describe('GenAI span attributes of a model call', () => {
  const request = aRequest(
    { provider: 'openai-compatible', id: 'qwen2.5-7b-instruct', maxOutputTokens: 256 },
    { runId: 'run_7', tenantId: 'acme', step: 3, attempt: 2 },
  );

  it('names the span after the operation and the requested model', () => {
    expect(chatSpanName(request)).toBe('chat qwen2.5-7b-instruct');
  });

  it('describes the request: operation, provider (under both names), model, limit, run', () => {
    expect(chatRequestAttributes(request)).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai-compatible',
      'gen_ai.provider.name': 'openai-compatible',
      'gen_ai.request.model': 'qwen2.5-7b-instruct',
      'gen_ai.request.max_tokens': 256,
      'tether.run.id': 'run_7',
      'tether.tenant.id': 'acme',
      'tether.step': 3,
      'tether.attempt': 2,
    });
  });

  it('leaves out what the request does not say', () => {
    const attributes = chatRequestAttributes(aRequest({ provider: 'scripted', id: 's-1' }));
    expect(attributes).not.toHaveProperty('gen_ai.request.max_tokens');
    expect(attributes).not.toHaveProperty('tether.tenant.id');
  });

  it('describes the answer: the model that answered, why it stopped, input and output tokens', () => {
    const reply: ModelReply = {
      model: 'qwen2.5-7b-instruct-q4',
      usage: { inputTokens: 120, outputTokens: 20, cachedInputTokens: 100, reasoningTokens: 0 },
      latencyMs: 12,
      finishReason: 'tool_calls',
    };
    expect(chatResponseAttributes(reply)).toEqual({
      'gen_ai.response.model': 'qwen2.5-7b-instruct-q4',
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 20,
    });
  });

  it('classifies a failure by what happened, never by its message', () => {
    const error = (o: Partial<ConstructorParameters<typeof ModelError>[1]>) =>
      new ModelError('x', { retryable: true, ...o });
    expect(chatErrorType(error({ status: 429 }))).toBe('429');
    expect(chatErrorType(error({ circuitOpen: true }))).toBe('circuit_open');
    expect(chatErrorType(error({ aborted: true }))).toBe('aborted');
    expect(chatErrorType(error({}))).toBe('model_error');
  });
});

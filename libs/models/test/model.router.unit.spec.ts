import type { ModelSpec } from '@tether/contracts';
import {
  ModelError,
  createModelRouter,
  isModelError,
  type ModelProvider,
  type ModelReply,
  type ModelRequest,
} from '../src';

function aRequest(model: Partial<ModelSpec>): ModelRequest {
  return {
    runId: 'run_1',
    step: 1,
    attempt: 1,
    model: { provider: 'scripted', id: 'scripted-v1', ...model } as ModelSpec,
    instructions: '',
    transcript: [],
    tools: [],
  };
}

const REPLY: ModelReply = {
  model: 'fake-1',
  text: 'hi',
  usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0 },
  latencyMs: 1,
  finishReason: 'stop',
};

function aProvider(
  name: string,
  complete: ModelProvider['complete'] = async () => REPLY,
): ModelProvider {
  return { name, complete };
}

describe('ModelRouter', () => {
  it('sends a request to the provider named by the model', async () => {
    const openai = jest.fn(async () => REPLY);
    const sut = createModelRouter([aProvider('scripted'), aProvider('openai', openai)]);
    const request = aRequest({ provider: 'openai', id: 'gpt-5-2025-08-07' });
    const signal = new AbortController().signal;
    await expect(sut.complete(request, signal)).resolves.toBe(REPLY);
    expect(openai).toHaveBeenCalledWith(request, signal);
  });

  it('routes scripted models to the built-in scripted provider by default', async () => {
    const sut = createModelRouter();
    expect(sut.providers()).toEqual(['scripted']);
    const reply = await sut.complete(aRequest({ script: [{ text: 'hello' }] }));
    expect(reply.text).toBe('hello');
  });

  it('refuses an unknown provider with a non-retryable ModelError naming what is available', async () => {
    const sut = createModelRouter([aProvider('scripted'), aProvider('anthropic')]);
    const err = await sut
      .complete(aRequest({ provider: 'openai', id: 'gpt-5-2025-08-07' }))
      .catch((e: unknown) => e);
    expect(isModelError(err)).toBe(true);
    expect(err).toMatchObject({
      retryable: false,
      message: 'no model provider "openai" is configured (available: anthropic, scripted)',
    });
  });

  it('passes a provider ModelError through unchanged', async () => {
    const failure = new ModelError('rate limited', { retryable: true, status: 429 });
    const sut = createModelRouter([aProvider('scripted', async () => Promise.reject(failure))]);
    await expect(sut.complete(aRequest({}))).rejects.toBe(failure);
  });

  it('wraps any other provider failure in a non-retryable ModelError that keeps the cause', async () => {
    const bug = new TypeError('x is undefined');
    const sut = createModelRouter([aProvider('scripted', async () => Promise.reject(bug))]);
    await expect(sut.complete(aRequest({}))).rejects.toMatchObject({
      name: 'ModelError',
      retryable: false,
      message: 'model provider "scripted" failed: x is undefined',
      cause: bug,
    });
  });

  it('refuses two providers with the same name', () => {
    expect(() => createModelRouter([aProvider('openai'), aProvider('openai')])).toThrow(
      'registered twice',
    );
  });
});

describe(ModelError.name, () => {
  it('carries retryable, status and cause', () => {
    const cause = new Error('socket hang up');
    const sut = new ModelError('upstream failed', { retryable: true, status: 503, cause });
    expect(sut).toMatchObject({
      name: 'ModelError',
      message: 'upstream failed',
      retryable: true,
      status: 503,
      cause,
    });
    expect(sut).toBeInstanceOf(Error);
  });

  it('is recognised by name, not by instanceof', () => {
    expect(isModelError({ name: 'ModelError', message: 'x', retryable: false })).toBe(true);
    expect(isModelError(new Error('x'))).toBe(false);
    expect(isModelError(undefined)).toBe(false);
  });
});

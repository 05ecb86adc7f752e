import { createOpenAIProvider, isModelError, type ModelError } from '../src';
import { refusedUrl, startHttpFake, type HttpFake } from './support/http-fake';
import { HOSTILE_RESULT, aRequest, caught } from './support/requests';

function completion(message: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-5-2025-08-07',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: 1200,
      completion_tokens: 80,
      total_tokens: 1280,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 64 },
    },
    ...extra,
  };
}

async function modelError(promise: Promise<unknown>): Promise<ModelError> {
  const err = await caught(promise);
  expect(isModelError(err)).toBe(true);
  return err as ModelError;
}

describe('OpenAIProvider', () => {
  let server: HttpFake;
  beforeEach(async () => {
    server = await startHttpFake();
  });
  afterEach(() => server.close());

  const sutAt = (url: string, options: { timeoutMs?: number } = {}) =>
    createOpenAIProvider({ apiKey: 'sk-test', baseUrl: url, name: 'openai', ...options });

  describe('when the model answers with text', () => {
    it('sends instructions as the system message and tool results only as tool messages', async () => {
      server.answer({ body: completion({ content: 'Order 1042 shipped.' }) });
      await sutAt(server.url).complete(aRequest({ maxOutputTokens: 512 }));

      expect(server.requests).toHaveLength(1);
      const { path, headers, body } = server.requests[0]!;
      expect(path).toBe('/chat/completions');
      expect(headers.authorization).toBe('Bearer sk-test');
      expect(body.model).toBe('gpt-5');
      expect(body.max_completion_tokens).toBe(512);
      expect(body.max_tokens).toBeUndefined();
      const messages = body.messages as Record<string, unknown>[];
      expect(messages).toEqual([
        { role: 'system', content: 'You help customers with orders.' },
        { role: 'user', content: 'Where is order 1042?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            {
              id: 'call_a',
              type: 'function',
              function: { name: 'lookup_order', arguments: '{"orderId":"1042"}' },
            },
            {
              id: 'call_b',
              type: 'function',
              function: { name: 'crm_note', arguments: '{"text":"asked"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: JSON.stringify(HOSTILE_RESULT) },
        { role: 'tool', tool_call_id: 'call_b', content: '{"error":"crm down"}' },
      ]);
      // The untrusted text appears in exactly one place: its tool message.
      const carrying = messages.filter((m) => JSON.stringify(m).includes('ignore previous'));
      expect(carrying).toEqual([expect.objectContaining({ role: 'tool' })]);
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'lookup_order',
            description: 'Find an order',
            parameters: {
              type: 'object',
              properties: { orderId: { type: 'string' } },
              required: ['orderId'],
            },
          },
        },
        {
          type: 'function',
          function: { name: 'crm_note', parameters: { type: 'object', properties: {} } },
        },
      ]);
    });

    it('reports the exact model that answered, its usage and finish reason', async () => {
      server.answer({ body: completion({ content: 'Order 1042 shipped.' }) });
      const reply = await sutAt(server.url).complete(aRequest({}));
      expect(reply).toEqual({
        model: 'gpt-5-2025-08-07',
        text: 'Order 1042 shipped.',
        usage: {
          inputTokens: 1200,
          outputTokens: 80,
          cachedInputTokens: 1024,
          reasoningTokens: 64,
        },
        latencyMs: expect.any(Number),
        finishReason: 'stop',
      });
    });

    it('counts missing usage details as 0', async () => {
      server.answer({
        body: completion({ content: 'ok' }, { usage: { prompt_tokens: 10, completion_tokens: 2 } }),
      });
      const reply = await sutAt(server.url).complete(aRequest({}));
      expect(reply.usage).toEqual({
        inputTokens: 10,
        outputTokens: 2,
        cachedInputTokens: 0,
        reasoningTokens: 0,
      });
    });
  });

  describe('when the model calls tools', () => {
    it('returns each call with parsed arguments under our tool name', async () => {
      server.answer({
        body: completion({
          content: null,
          tool_calls: [
            {
              id: 'call_x',
              type: 'function',
              function: { name: 'lookup_order', arguments: '{"orderId":"7"}' },
            },
            { id: 'call_y', type: 'function', function: { name: 'crm_note', arguments: '{}' } },
          ],
        }),
      });
      const reply = await sutAt(server.url).complete(aRequest({}));
      expect(reply.toolCalls).toEqual([
        { name: 'lookup_order', args: { orderId: '7' } },
        { name: 'crm.note', args: {} },
      ]);
      expect(reply.text).toBeUndefined();
    });

    it('refuses malformed tool arguments with a non-retryable error', async () => {
      server.answer({
        body: completion({
          content: null,
          tool_calls: [
            {
              id: 'call_x',
              type: 'function',
              function: { name: 'lookup_order', arguments: '{"orderId": "7"' },
            },
          ],
        }),
      });
      const err = await modelError(sutAt(server.url).complete(aRequest({})));
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('malformed tool arguments');
      expect(err.message).toContain('lookup_order');
    });
  });

  describe('when the call fails', () => {
    it('marks a 429 retryable with the Retry-After seconds, after a single request', async () => {
      server.answer({
        status: 429,
        headers: { 'retry-after': '7' },
        body: { error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } },
      });
      const err = await modelError(sutAt(server.url).complete(aRequest({})));
      expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
      expect(err.message).toContain('Rate limit reached');
      expect(server.requests).toHaveLength(1); // maxRetries: 0
    });

    it('prefers retry-after-ms and understands an HTTP date', async () => {
      server.answer({
        status: 429,
        headers: { 'retry-after-ms': '1500', 'retry-after': '9' },
        body: { error: { message: 'slow down' } },
      });
      const fromMs = await modelError(sutAt(server.url).complete(aRequest({})));
      expect(fromMs.retryAfterMs).toBe(1500);

      server.answer({
        status: 503,
        headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() },
        body: { error: { message: 'unavailable' } },
      });
      const fromDate = await modelError(sutAt(server.url).complete(aRequest({})));
      expect(fromDate.retryable).toBe(true);
      expect(fromDate.retryAfterMs).toBeGreaterThan(55_000);
      expect(fromDate.retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it.each([
      [500, true],
      [502, true],
      [408, true],
      [409, true],
      [400, false],
      [401, false],
      [404, false],
      [422, false],
    ])('classifies HTTP %i as retryable=%s', async (status, retryable) => {
      server.answer({ status, body: { error: { message: `status ${status}` } } });
      const err = await modelError(sutAt(server.url).complete(aRequest({})));
      expect(err).toMatchObject({ retryable, status });
      expect(err.retryAfterMs).toBeUndefined();
      expect(server.requests).toHaveLength(1);
    });

    it('marks a refused connection retryable, without a status', async () => {
      const err = await modelError(sutAt(await refusedUrl()).complete(aRequest({})));
      expect(err.retryable).toBe(true);
      expect(err.status).toBeUndefined();
    });

    it('marks its own client timeout retryable', async () => {
      server.answer({ hang: true });
      const err = await modelError(sutAt(server.url, { timeoutMs: 100 }).complete(aRequest({})));
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('timed out');
    });

    it("stops at the caller's abort with a retryable 'aborted' error", async () => {
      server.answer({ hang: true });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const err = await modelError(sutAt(server.url).complete(aRequest({}), controller.signal));
      expect(err).toMatchObject({ message: 'aborted', retryable: true, aborted: true });
    });

    it('does not call out for an already aborted signal', async () => {
      const err = await modelError(sutAt(server.url).complete(aRequest({}), AbortSignal.abort()));
      expect(err.message).toBe('aborted');
      expect(server.requests).toHaveLength(0);
    });

    it('refuses to run without an API key, before any request', async () => {
      const sut = createOpenAIProvider({ baseUrl: server.url, name: 'openai' });
      const err = await modelError(sut.complete(aRequest({})));
      expect(err).toMatchObject({ message: 'OPENAI_API_KEY is not set', retryable: false });
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('as openai-compatible', () => {
    it("calls the model's baseUrl with no key and max_tokens", async () => {
      server.answer({ body: completion({ content: 'hi' }, { model: 'llama3.1:8b' }) });
      const sut = createOpenAIProvider({ name: 'openai-compatible' });
      const reply = await sut.complete(
        aRequest({
          provider: 'openai-compatible',
          id: 'llama3.1',
          baseUrl: `${server.url}/v1`,
          maxOutputTokens: 256,
        }),
      );
      expect(sut.name).toBe('openai-compatible');
      expect(reply.model).toBe('llama3.1:8b');
      const { path, headers, body } = server.requests[0]!;
      expect(path).toBe('/v1/chat/completions');
      expect(headers.authorization).toBe('Bearer not-needed');
      expect(body.max_tokens).toBe(256);
      expect(body.max_completion_tokens).toBeUndefined();
    });

    it('refuses a model without a baseUrl when the provider has none either', async () => {
      const sut = createOpenAIProvider({ name: 'openai-compatible' });
      const err = await modelError(
        sut.complete(aRequest({ provider: 'openai-compatible', id: 'llama3.1' })),
      );
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('has no baseUrl');
    });
  });
});

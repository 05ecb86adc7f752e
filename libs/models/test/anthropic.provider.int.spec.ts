import { createAnthropicProvider, isModelError, type ModelError } from '../src';
import { startHttpFake, type HttpFake } from './support/http-fake';
import { anthropicMessage as message } from './support/anthropic-message';
import { HOSTILE_RESULT, aRequest, caught } from './support/requests';

async function modelError(promise: Promise<unknown>): Promise<ModelError> {
  const err = await caught(promise);
  expect(isModelError(err)).toBe(true);
  return err as ModelError;
}

const anthropicModel = { provider: 'anthropic' as const, id: 'claude-test-1' };

describe('AnthropicProvider', () => {
  let server: HttpFake;
  beforeEach(async () => {
    server = await startHttpFake();
  });
  afterEach(() => server.close());

  const sutAt = (url: string, options: { timeoutMs?: number } = {}) =>
    createAnthropicProvider({ apiKey: 'sk-ant-test', baseUrl: url, ...options });

  describe('when the model answers', () => {
    it('sends instructions as system and tool results only as tool_result blocks', async () => {
      server.answer({ body: message([{ type: 'text', text: 'Shipped.' }]) });
      await sutAt(server.url).complete(aRequest(anthropicModel));

      expect(server.requests).toHaveLength(1);
      const { path, headers, body } = server.requests[0]!;
      expect(path).toBe('/v1/messages');
      // SDK 1.x sends the key as a bearer token (older ones used x-api-key): either carries it.
      expect(headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer /, '')).toBe(
        'sk-ant-test',
      );
      expect(headers['anthropic-version']).toEqual(expect.any(String));
      expect(body.model).toBe('claude-test-1');
      expect(body.max_tokens).toBe(1024);
      expect(body.system).toBe('You help customers with orders.');
      expect(body.messages).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'Where is order 1042?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'call_a', name: 'lookup_order', input: { orderId: '1042' } },
            { type: 'tool_use', id: 'call_b', name: 'crm_note', input: { text: 'asked' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: JSON.stringify(HOSTILE_RESULT) },
            { type: 'tool_result', tool_use_id: 'call_b', content: '"crm down"', is_error: true },
          ],
        },
      ]);
      expect(JSON.stringify(body.system)).not.toContain('ignore previous');
      expect(body.tools).toEqual([
        {
          name: 'lookup_order',
          description: 'Find an order',
          input_schema: {
            type: 'object',
            properties: { orderId: { type: 'string' } },
            required: ['orderId'],
          },
        },
        { name: 'crm_note', input_schema: { type: 'object' } },
      ]);
    });

    it("takes max_tokens from the model's maxOutputTokens", async () => {
      server.answer({ body: message([{ type: 'text', text: 'ok' }]) });
      await sutAt(server.url).complete(aRequest({ ...anthropicModel, maxOutputTokens: 300 }));
      expect(server.requests[0]!.body.max_tokens).toBe(300);
    });

    it('joins text, maps tool_use to tool calls and reports model, usage and stop reason', async () => {
      server.answer({
        body: message(
          [
            { type: 'text', text: 'Checking ' },
            { type: 'text', text: 'now.' },
            { type: 'tool_use', id: 'toolu_1', name: 'crm_note', input: { text: 'hi' } },
          ],
          {
            stop_reason: 'tool_use',
            usage: {
              input_tokens: 200,
              output_tokens: 50,
              cache_read_input_tokens: 1000,
              cache_creation_input_tokens: 30,
              output_tokens_details: { thinking_tokens: 12 },
            },
          },
        ),
      });
      const reply = await sutAt(server.url).complete(aRequest(anthropicModel));
      expect(reply).toEqual({
        model: 'claude-sonnet-4-5-20250929',
        text: 'Checking now.',
        toolCalls: [{ name: 'crm.note', args: { text: 'hi' } }],
        usage: {
          inputTokens: 1230,
          outputTokens: 50,
          cachedInputTokens: 1000,
          reasoningTokens: 12,
        },
        latencyMs: expect.any(Number),
        finishReason: 'tool_use',
      });
    });
  });

  describe('when the call fails', () => {
    it.each([
      [529, 'overloaded_error', true],
      [500, 'api_error', true],
      [429, 'rate_limit_error', true],
      [400, 'invalid_request_error', false],
      [401, 'authentication_error', false],
    ])('classifies HTTP %i (%s) as retryable=%s', async (status, type, retryable) => {
      server.answer({
        status,
        headers: { 'retry-after': '3' },
        body: { type: 'error', error: { type, message: `a ${type}` } },
      });
      const err = await modelError(sutAt(server.url).complete(aRequest(anthropicModel)));
      expect(err).toMatchObject({ retryable, status, retryAfterMs: 3000 });
      expect(err.message).toContain(`a ${type}`);
      expect(server.requests).toHaveLength(1); // maxRetries: 0
    });

    it('marks its own client timeout retryable', async () => {
      server.answer({ hang: true });
      const err = await modelError(
        sutAt(server.url, { timeoutMs: 100 }).complete(aRequest(anthropicModel)),
      );
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('timed out');
    });

    it("stops at the caller's abort with a retryable 'aborted' error", async () => {
      server.answer({ hang: true });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const err = await modelError(
        sutAt(server.url).complete(aRequest(anthropicModel), controller.signal),
      );
      expect(err).toMatchObject({ message: 'aborted', retryable: true, aborted: true });
    });

    it('refuses to run without an API key, before any request', async () => {
      const sut = createAnthropicProvider({ baseUrl: server.url });
      const err = await modelError(sut.complete(aRequest(anthropicModel)));
      expect(err).toMatchObject({ message: 'ANTHROPIC_API_KEY is not set', retryable: false });
      expect(server.requests).toHaveLength(0);
    });
  });
});

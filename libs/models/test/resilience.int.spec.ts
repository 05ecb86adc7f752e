import {
  createModelCallGuard,
  createOpenAIProvider,
  isModelError,
  type ModelError,
  type ModelProvider,
} from '../src';
import { startHttpFake, type FakeAnswer, type HttpFake } from './support/http-fake';
import { aRequest, caught } from './support/requests';

const OK: FakeAnswer = {
  body: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-5-2025-08-07',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1 },
  },
};
const FAIL_500: FakeAnswer = { status: 500, body: { error: { message: 'boom' } } };
const FAIL_400: FakeAnswer = { status: 400, body: { error: { message: 'bad request' } } };

async function modelError(promise: Promise<unknown>): Promise<ModelError> {
  const err = await caught(promise);
  expect(isModelError(err)).toBe(true);
  return err as ModelError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ModelCallGuard', () => {
  let server: HttpFake;
  let provider: ModelProvider;
  beforeEach(async () => {
    server = await startHttpFake();
    provider = createOpenAIProvider({ apiKey: 'sk-test', baseUrl: server.url, name: 'openai' });
  });
  afterEach(() => server.close());

  describe('timeout', () => {
    it('gives up on a hanging provider with a retryable error', async () => {
      server.answer({ hang: true });
      const sut = createModelCallGuard({ timeoutMs: 100 });
      const started = Date.now();
      const err = await modelError(sut.call(aRequest({}), provider));
      expect(err).toMatchObject({ message: 'timed out after 100 ms', retryable: true });
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('gives up even when the provider ignores its signal', async () => {
      const deaf: ModelProvider = { name: 'openai', complete: () => new Promise(() => {}) };
      const sut = createModelCallGuard({ timeoutMs: 50 });
      const err = await modelError(sut.call(aRequest({}), deaf));
      expect(err).toMatchObject({ message: 'timed out after 50 ms', retryable: true });
    });

    it("reports the caller's abort as aborted, not as a timeout", async () => {
      server.answer({ hang: true });
      const sut = createModelCallGuard({ timeoutMs: 5_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const err = await modelError(sut.call(aRequest({}), provider, controller.signal));
      expect(err).toMatchObject({ message: 'aborted', retryable: true });
    });

    it('passes a reply through', async () => {
      server.answer(OK);
      const sut = createModelCallGuard({ timeoutMs: 5_000 });
      await expect(sut.call(aRequest({}), provider)).resolves.toMatchObject({ text: 'ok' });
    });
  });

  describe('circuit breaker', () => {
    const guard = () =>
      createModelCallGuard({ timeoutMs: 5_000, breaker: { threshold: 3, halfOpenAfterMs: 150 } });

    it('opens after N consecutive retryable failures and then fails fast', async () => {
      server.answer(FAIL_500);
      const sut = guard();
      for (let i = 0; i < 3; i++) {
        expect(await modelError(sut.call(aRequest({}), provider))).toMatchObject({ status: 500 });
      }
      expect(sut.state('openai', 'gpt-5')).toBe('open');

      const err = await modelError(sut.call(aRequest({}), provider));
      expect(err).toMatchObject({
        message: 'circuit open for openai/gpt-5',
        retryable: true,
        circuitOpen: true,
      });
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(err.retryAfterMs).toBeLessThanOrEqual(150);
      expect(server.requests).toHaveLength(3); // the 4th never left
    });

    it('keeps one circuit per provider and model', async () => {
      server.answer(FAIL_500);
      const sut = guard();
      for (let i = 0; i < 3; i++) await caught(sut.call(aRequest({}), provider));
      server.answer(OK);
      const other = aRequest({ id: 'gpt-4.1-2025-04-14' });
      await expect(sut.call(other, provider)).resolves.toMatchObject({ text: 'ok' });
      expect(sut.state('openai', 'gpt-4.1-2025-04-14')).toBe('closed');
      expect(sut.state('openai', 'gpt-5')).toBe('open');
    });

    it('half-opens after the configured time and closes on a successful test call', async () => {
      server.answer(FAIL_500);
      const sut = guard();
      for (let i = 0; i < 3; i++) await caught(sut.call(aRequest({}), provider));
      await sleep(170);
      expect(sut.state('openai', 'gpt-5')).toBe('half-open');

      server.answer(OK);
      await expect(sut.call(aRequest({}), provider)).resolves.toMatchObject({ text: 'ok' });
      expect(sut.state('openai', 'gpt-5')).toBe('closed');
    });

    it('opens again when the test call fails', async () => {
      server.answer(FAIL_500);
      const sut = guard();
      for (let i = 0; i < 3; i++) await caught(sut.call(aRequest({}), provider));
      await sleep(170);
      expect(await modelError(sut.call(aRequest({}), provider))).toMatchObject({ status: 500 });
      expect(sut.state('openai', 'gpt-5')).toBe('open');
      expect(await modelError(sut.call(aRequest({}), provider))).toMatchObject({
        circuitOpen: true,
      });
    });

    it('does not count non-retryable failures', async () => {
      server.answer(FAIL_400);
      const sut = guard();
      for (let i = 0; i < 5; i++) {
        expect(await modelError(sut.call(aRequest({}), provider))).toMatchObject({
          status: 400,
          retryable: false,
        });
      }
      expect(sut.state('openai', 'gpt-5')).toBe('closed');
      expect(server.requests).toHaveLength(5);
    });

    it("does not count the caller's aborts", async () => {
      server.answer({ hang: true });
      const sut = createModelCallGuard({ timeoutMs: 5_000, breaker: { threshold: 1 } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      await caught(sut.call(aRequest({}), provider, controller.signal));
      expect(sut.state('openai', 'gpt-5')).toBe('closed');
    });

    it('counts timeouts and restarts the count after a success', async () => {
      const sut = createModelCallGuard({
        timeoutMs: 80,
        breaker: { threshold: 2, halfOpenAfterMs: 10_000 },
      });
      server.answer({ hang: true }, OK, { hang: true }, FAIL_500);
      await caught(sut.call(aRequest({}), provider));
      await sut.call(aRequest({}), provider);
      await caught(sut.call(aRequest({}), provider));
      expect(sut.state('openai', 'gpt-5')).toBe('closed');
      await caught(sut.call(aRequest({}), provider));
      expect(sut.state('openai', 'gpt-5')).toBe('open');
    });
  });
});

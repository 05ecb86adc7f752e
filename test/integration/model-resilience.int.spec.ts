import {
  ModelError,
  createModelRouter,
  createScriptedProvider,
  type ModelProvider,
} from '@tether/models';
import { startStack, type TestStack } from '../stack';

/**
 * The model provider is outside Tether: a fake stands in for the primary model, failing as
 * each test says, while the scripted provider plays the fallback.
 */
class FlakyProvider implements ModelProvider {
  readonly name = 'openai-compatible';
  failures: Array<{ retryable: boolean; retryAfterMs?: number } | 'answer'> = [];
  /** Tool calls the strict-model proposes, turn by turn; then it answers. */
  proposals: Array<Record<string, unknown>> = [];
  calls = 0;

  async complete(request: { model: { id: string } }) {
    this.calls++;
    if (request.model.id === 'strict-model') {
      const args = this.proposals.shift();
      const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 };
      return args
        ? {
            model: 'strict-model',
            toolCalls: [{ name: 'lookup_order', args }],
            usage,
            latencyMs: 1,
            finishReason: 'tool_calls',
          }
        : { model: 'strict-model', text: 'Done.', usage, latencyMs: 1, finishReason: 'stop' };
    }
    const next = this.failures.shift() ?? 'answer';
    if (next === 'answer') {
      return {
        model: 'flaky-model',
        text: 'Answered by the primary model.',
        usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 },
        latencyMs: 1,
        finishReason: 'stop',
      };
    }
    throw Object.assign(
      new ModelError(next.retryable ? 'upstream 503' : 'upstream 400: bad request', {
        retryable: next.retryable,
      }),
      { retryAfterMs: next.retryAfterMs },
    );
  }
}

describe('model calls that fail', () => {
  let stack: TestStack;
  const flaky = new FlakyProvider();

  beforeAll(async () => {
    stack = await startStack({
      label: 'models',
      services: ['tool-executor', 'budget', 'orchestrator'],
      orchestrator: { models: createModelRouter([createScriptedProvider(), flaky]) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    flaky.proposals = [];
    flaky.failures = [];
    flaky.calls = 0;
  });

  const attempts = (events: { type: string; data: unknown }[]) =>
    events
      .filter((e) => e.type === 'model.requested' || e.type === 'model.failed')
      .map((e) => [
        e.type,
        (e.data as { attempt: number }).attempt,
        (e.data as { model: string }).model,
      ]);

  it('records each failed attempt and retries the same model after its Retry-After', async () => {
    flaky.failures = [{ retryable: true, retryAfterMs: 50 }];
    await stack.startRun('acme', { runId: 'run_retry1', agent: 'flaky-agent', input: 'hi' });
    const events = await stack.waitForEnd('acme', 'run_retry1');
    expect(attempts(events)).toEqual([
      ['model.requested', 1, 'flaky-model'],
      ['model.failed', 1, 'flaky-model'],
      ['model.requested', 2, 'flaky-model'],
    ]);
    expect(events.find((e) => e.type === 'model.failed')!.data).toMatchObject({
      retryable: true,
      error: 'upstream 503',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'Answered by the primary model.' },
    });
  });

  it('falls back to the next model of the chain when the primary keeps failing', async () => {
    flaky.failures = [{ retryable: true }, { retryable: true }, { retryable: true }];
    await stack.startRun('acme', { runId: 'run_fallback1', agent: 'flaky-agent', input: 'hi' });
    const events = await stack.waitForEnd('acme', 'run_fallback1');
    expect(
      attempts(events)
        .filter(([t]) => t === 'model.requested')
        .map(([, , m]) => m),
    ).toEqual(['flaky-model', 'flaky-model', 'flaky-model', 'scripted-v1']);
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'Answered by the fallback model.' },
    });
    expect(flaky.calls).toBe(3);
  });

  it('fails the run on an error that retrying cannot fix', async () => {
    flaky.failures = [{ retryable: false }];
    await stack.startRun('acme', { runId: 'run_fatal1', agent: 'flaky-agent', input: 'hi' });
    const events = await stack.waitForEnd('acme', 'run_fatal1');
    expect(events.map((e) => e.type)).toEqual([
      'run.started',
      'budget.reserved',
      'model.requested',
      'model.failed',
      'run.failed',
    ]);
    // The failed call releases its hold: model.failed names it.
    const { reservationId } = events[1]!.data as { reservationId: string };
    expect(events[3]!.data).toMatchObject({ reservationId });
    expect(events.at(-1)!.data).toMatchObject({ outcome: 'failed', reason: 'model_error' });
    expect(flaky.calls).toBe(1);
  });

  it('denies invalid arguments, lets the model repair them once, and runs the repaired call', async () => {
    flaky.proposals = [{ order: 1042 }, { orderId: '1042' }];
    await stack.startRun('acme', { runId: 'run_repair1', agent: 'strict-agent', input: 'hi' });
    const events = await stack.waitForEnd('acme', 'run_repair1');
    const denied = events.find((e) => e.type === 'tool.denied');
    expect(denied?.data).toMatchObject({
      reason: 'invalid_arguments',
      message: expect.stringContaining('orderId'),
    });
    expect(events.filter((e) => e.type === 'tool.completed')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'run.completed' });
  });

  it('fails the run with malformed_output when the repair is invalid too, running nothing', async () => {
    flaky.proposals = [{ order: 1042 }, { orderId: 'DROP TABLE' }];
    await stack.startRun('acme', { runId: 'run_repair2', agent: 'strict-agent', input: 'hi' });
    const events = await stack.waitForEnd('acme', 'run_repair2');
    expect(events.some((e) => e.type === 'tool.started')).toBe(false);
    expect(events.at(-1)).toMatchObject({
      type: 'run.failed',
      data: { reason: 'malformed_output' },
    });
  });
});

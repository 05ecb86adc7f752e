import type { ModelSpec, ScriptedTurn } from '@tether/contracts';
import type { TranscriptEntry } from '@tether/run-domain';
import { createScriptedProvider, isModelError, type ModelRequest } from '../src';

function aRequest(
  script: ScriptedTurn[] | undefined,
  transcript: TranscriptEntry[] = [],
): ModelRequest {
  return {
    runId: 'run_1',
    step: 1,
    attempt: 1,
    model: { provider: 'scripted', id: 'scripted-v1', script } as ModelSpec,
    instructions: 'Be brief.',
    transcript,
    tools: [],
  };
}

const SCRIPT: ScriptedTurn[] = [
  {
    toolCalls: [{ name: 'lookup_order', args: { orderId: '1042' } }],
    usage: { inputTokens: 420, outputTokens: 31 },
  },
  {
    text: 'Order 1042 shipped on 3 Nov 2026.',
    usage: { inputTokens: 500, outputTokens: 12, cachedInputTokens: 400, reasoningTokens: 3 },
  },
];

const USER: TranscriptEntry = { role: 'user', content: 'Where is order 1042?' };
const ASSISTANT: TranscriptEntry = {
  role: 'assistant',
  toolCalls: [{ callId: 'c1', name: 'lookup_order', args: { orderId: '1042' } }],
};
const TOOL: TranscriptEntry = {
  role: 'tool',
  callId: 'c1',
  name: 'lookup_order',
  content: { shipped: '2026-11-03' },
  isError: false,
};

describe('ScriptedProvider', () => {
  const sut = createScriptedProvider();

  it('is named after the provider it serves', () => {
    expect(sut.name).toBe('scripted');
  });

  describe('turn selection', () => {
    it('plays the first turn when the model has not spoken yet', async () => {
      const reply = await sut.complete(aRequest(SCRIPT, [USER]));
      expect(reply).toMatchObject({
        model: 'scripted-v1',
        toolCalls: [{ name: 'lookup_order', args: { orderId: '1042' } }],
        usage: { inputTokens: 420, outputTokens: 31, cachedInputTokens: 0, reasoningTokens: 0 },
        finishReason: 'tool_calls',
      });
      expect(reply.text).toBeUndefined();
    });

    it('plays the turn numbered by the assistant entries already in the transcript', async () => {
      const reply = await sut.complete(aRequest(SCRIPT, [USER, ASSISTANT, TOOL]));
      expect(reply).toMatchObject({
        text: 'Order 1042 shipped on 3 Nov 2026.',
        usage: { inputTokens: 500, outputTokens: 12, cachedInputTokens: 400, reasoningTokens: 3 },
        finishReason: 'stop',
      });
      expect(reply.toolCalls).toBeUndefined();
    });

    it('ignores the step and attempt numbers, so a retry replays the same turn', async () => {
      const first = await sut.complete(aRequest(SCRIPT, [USER]));
      const retry = await sut.complete({ ...aRequest(SCRIPT, [USER]), step: 4, attempt: 3 });
      expect({ ...retry, latencyMs: 0 }).toEqual({ ...first, latencyMs: 0 });
    });

    it('does not count user or tool entries', async () => {
      const reply = await sut.complete(aRequest(SCRIPT, [USER, USER, TOOL]));
      expect(reply.finishReason).toBe('tool_calls');
    });

    it('answers with both text and tool calls when the turn has both', async () => {
      const reply = await sut.complete(
        aRequest([{ text: 'Checking.', toolCalls: [{ name: 'noop' }] }]),
      );
      expect(reply).toMatchObject({
        text: 'Checking.',
        toolCalls: [{ name: 'noop', args: {} }],
        finishReason: 'tool_calls',
      });
    });

    it('returns fresh argument objects, so a caller cannot change the script', async () => {
      const script: ScriptedTurn[] = [
        { toolCalls: [{ name: 'noop', args: { nested: { i: 1 } } }] },
      ];
      const reply = await sut.complete(aRequest(script));
      (reply.toolCalls![0].args.nested as { i: number }).i = 2;
      expect(script[0].toolCalls![0].args).toEqual({ nested: { i: 1 } });
    });
  });

  describe('usage', () => {
    it('reads missing usage fields as 0', async () => {
      const reply = await sut.complete(aRequest([{ text: 'hi', usage: { outputTokens: 2 } }]));
      expect(reply.usage).toEqual({
        inputTokens: 0,
        outputTokens: 2,
        cachedInputTokens: 0,
        reasoningTokens: 0,
      });
    });

    it('estimates usage at 4 characters a token when the turn has none', async () => {
      // transcript: 20 (user) + 12 + 18 (assistant call name + JSON args) + 25 (tool JSON) = 75 chars
      const transcript = [USER, ASSISTANT, TOOL];
      const script: ScriptedTurn[] = [
        { text: 'x' },
        { text: 'abcde', toolCalls: [{ name: 'noop', args: { i: 1 } }] },
      ];
      const reply = await sut.complete(aRequest(script, transcript));
      expect(reply.usage).toEqual({
        inputTokens: Math.ceil(75 / 4),
        outputTokens: Math.ceil((5 + '{"i":1}'.length) / 4),
        cachedInputTokens: 0,
        reasoningTokens: 0,
      });
    });

    it('estimates zero tokens for an empty transcript and an empty turn', async () => {
      const reply = await sut.complete(aRequest([{}]));
      expect(reply.usage).toEqual({
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
        reasoningTokens: 0,
      });
      expect(reply.finishReason).toBe('stop');
    });

    it('counts string tool results as their text', async () => {
      const tool: TranscriptEntry = {
        role: 'tool',
        callId: 'c1',
        name: 'x',
        content: 'abcdefgh',
        isError: true,
      };
      const reply = await sut.complete(aRequest([{ text: '' }], [tool]));
      expect(reply.usage.inputTokens).toBe(2);
    });
  });

  it('measures latency with its clock', async () => {
    const times = [100, 102.5];
    const timed = createScriptedProvider({ now: () => times.shift()! });
    expect((await timed.complete(aRequest(SCRIPT))).latencyMs).toBe(2.5);
  });

  describe('when the script is exhausted', () => {
    it('fails with a non-retryable ModelError', async () => {
      const transcript = [
        USER,
        ASSISTANT,
        TOOL,
        { role: 'assistant', content: 'done' } as TranscriptEntry,
      ];
      const failure = sut.complete(aRequest(SCRIPT, transcript));
      await expect(failure).rejects.toMatchObject({ name: 'ModelError', retryable: false });
      await expect(failure).rejects.toThrow(
        /^script exhausted: model "scripted-v1" has 2 turn\(s\), turn 3 was requested$/,
      );
    });
  });

  it('fails with a non-retryable ModelError when there is no script', async () => {
    const err = await sut.complete(aRequest(undefined)).catch((e: unknown) => e);
    expect(isModelError(err)).toBe(true);
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('no script') });
  });

  it('fails when its signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    await expect(sut.complete(aRequest(SCRIPT), controller.signal)).rejects.toMatchObject({
      name: 'ModelError',
      cause: expect.objectContaining({ message: 'run cancelled' }),
    });
  });
});

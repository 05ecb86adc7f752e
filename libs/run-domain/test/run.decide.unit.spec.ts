import { IllegalStateError, ValidationError } from '@tether/errors';
import { aRelease, aRunLog, testEventTime } from '@tether/testing';
import { decide, fold, type DecidedEvent } from '../src';
import {
  AFTER_DEADLINE,
  BEFORE_DEADLINE,
  Driver,
  callTools,
  completeTool,
  ctx,
  failTool,
  release,
  requestModel,
  respond,
  spec,
  startCommand,
  startTool,
  started,
  startedDriver,
} from './run.fixtures';

const modelRequested = (step = 1, attempt = 1) =>
  ({
    type: 'model.requested',
    data: { step, attempt, provider: 'scripted', model: 'scripted-v1' },
  }) as const;

describe('decide', () => {
  describe('StartRun', () => {
    it('starts a new run with the release, model and limits of the agent', () => {
      spec
        .given([])
        .when(startCommand({ metadata: { ticket: 'T-1' } }, release, 'req-1'), ctx)
        .then([
          {
            type: 'run.started',
            data: {
              agent: 'test-agent',
              release: 'rel_0000000000000000',
              input: 'Where is order 1042?',
              userId: 'u_88',
              roles: ['user'],
              mode: 'live',
              model: { provider: 'scripted', id: 'scripted-v1' },
              limits: { maxSteps: 15, maxToolCalls: 25, maxTokens: 200000, timeoutMs: 90000 },
              metadata: { ticket: 'T-1' },
              requestId: 'req-1',
            },
          },
        ]);
    });

    it('keeps the requested mode and carries a dollar cap when the release has one', () => {
      const capped = aRelease({ limits: { maxCostUsd: 0.5 } });
      const [event] = decide(startCommand({ mode: 'shadow' }, capped), fold([]), ctx);
      expect(event).toMatchObject({
        type: 'run.started',
        data: { mode: 'shadow', limits: { maxCostUsd: 0.5 } },
      });
      expect(event?.data).not.toHaveProperty('metadata');
      expect(event?.data).not.toHaveProperty('requestId');
    });

    it("gives an asynchronous run the agent's async wall-clock limit, and records it", () => {
      const timed = aRelease({ limits: { timeoutMs: 60_000, asyncTimeoutMs: 600_000 } });
      const [async] = decide(startCommand({ execution: 'async' }, timed), fold([]), ctx);
      expect(async?.data).toMatchObject({ execution: 'async', limits: { timeoutMs: 600_000 } });
      for (const execution of ['sync', undefined] as const) {
        const [sync] = decide(startCommand({ execution }, timed), fold([]), ctx);
        expect(sync?.data).toMatchObject({ limits: { timeoutMs: 60_000 } });
        expect(sync?.data).not.toHaveProperty('execution');
      }
    });

    it('times an asynchronous run out at its own limit, not the synchronous one', () => {
      const timed = aRelease({ limits: { timeoutMs: 60_000, asyncTimeoutMs: 600_000 } });
      const given = decide(startCommand({ execution: 'async' }, timed), fold([]), ctx);
      const at = (ms: number) => ({
        ...ctx,
        now: new Date(Date.parse(ctx.now) + ms).toISOString(),
      });
      expect(decide({ type: 'CheckDeadline' }, fold(aRunLog(given)), at(120_000))).toEqual([]);
      expect(decide({ type: 'CheckDeadline' }, fold(aRunLog(given)), at(600_001))).toEqual([
        expect.objectContaining({
          type: 'run.aborted',
          data: expect.objectContaining({ reason: 'timeout' }),
        }),
      ]);
    });

    it('rejects an unknown agent with reason unknown_agent', () => {
      spec
        .given([])
        .when(startCommand({ agent: 'ghost' }, null, 'req-2'), ctx)
        .then([
          {
            type: 'run.rejected',
            data: {
              outcome: 'failed',
              reason: 'unknown_agent',
              message: 'There is no agent named "ghost".',
              problems: ['agent "ghost" is not loaded'],
              agent: 'ghost',
              requestId: 'req-2',
            },
          },
        ]);
    });

    it('rejects input longer than the agent accepts with reason input_too_large', () => {
      const small = aRelease({ limits: { maxInputChars: 10 } });
      const [event] = spec
        .given([])
        .when(startCommand({ input: 'x'.repeat(11) }, small), ctx)
        .events();
      expect(event).toMatchObject({
        type: 'run.rejected',
        data: { outcome: 'failed', reason: 'input_too_large', agent: 'test-agent' },
      });
      expect(event?.data).toHaveProperty('message', expect.stringContaining('11 characters'));
    });

    it('accepts input of exactly the maximum length', () => {
      const small = aRelease({ limits: { maxInputChars: 10 } });
      const [event] = decide(startCommand({ input: 'x'.repeat(10) }, small), fold([]), ctx);
      expect(event?.type).toBe('run.started');
    });

    it('refuses a run that already started', () => {
      spec
        .given(aRunLog(started()))
        .when(startCommand(), ctx)
        .thenThrows(IllegalStateError, /already exists/);
    });

    it('refuses a run that was rejected', () => {
      const rejected = decide(startCommand({}, null), fold([]), ctx);
      spec.given(aRunLog(rejected)).when(startCommand(), ctx).thenThrows('IllegalStateError');
    });

    it('refuses a release that belongs to another agent', () => {
      spec
        .given([])
        .when(startCommand({ agent: 'other-agent' }), ctx)
        .thenThrows(ValidationError);
    });
  });

  describe('RequestModel', () => {
    it('requests turn 1, attempt 1, after the start', () => {
      spec
        .given(aRunLog(started()))
        .when(requestModel, ctx)
        .then([modelRequested(1, 1)]);
    });

    it('requests a new attempt when the previous request got no answer', () => {
      spec
        .given(aRunLog([...started(), modelRequested(1, 1)]))
        .when(requestModel, ctx)
        .then([modelRequested(1, 2)]);
    });

    it('requests a new attempt after a retryable failure', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do({
        type: 'RecordModelFailure',
        model: 'scripted-v1',
        error: 'rate limited',
        retryable: true,
        maxAttempts: 3,
      });
      expect(d.do(requestModel)).toEqual([modelRequested(1, 2)]);
    });

    it('requests the next turn at attempt 1 once the tool results are in', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do({
        type: 'RecordModelFailure',
        model: 'scripted-v1',
        error: 'boom',
        retryable: true,
        maxAttempts: 3,
      });
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      expect(d.do(requestModel)).toEqual([modelRequested(2, 1)]);
    });

    it('aborts with max_steps instead of requesting a turn beyond the limit', () => {
      const one = aRelease({ limits: { maxSteps: 1 } });
      const d = startedDriver({}, one);
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      const [event] = d.do(requestModel);
      expect(event).toEqual({
        type: 'run.aborted',
        data: {
          outcome: 'aborted',
          reason: 'max_steps',
          message: expect.stringContaining('1 steps'),
          limit: 'maxSteps',
          limitValue: 1,
        },
      });
      expect(d.state.status).toBe('aborted');
    });

    it('aborts with timeout once the wall clock has passed', () => {
      const [event] = spec
        .given(aRunLog(started()))
        .when(requestModel, { ...ctx, now: AFTER_DEADLINE })
        .events();
      expect(event).toMatchObject({
        type: 'run.aborted',
        data: { outcome: 'aborted', reason: 'timeout', limit: 'timeoutMs', limitValue: 90000 },
      });
    });

    it('still requests at exactly the deadline', () => {
      spec
        .given(aRunLog(started()))
        .when(requestModel, { ...ctx, now: BEFORE_DEADLINE })
        .then([modelRequested()]);
    });

    it('checks max_steps before the deadline', () => {
      const one = aRelease({ limits: { maxSteps: 1 } });
      const d = startedDriver({}, one);
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      expect(d.do(requestModel, { now: AFTER_DEADLINE })[0]).toMatchObject({
        data: { reason: 'max_steps' },
      });
    });

    it('refuses while a tool call is pending', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      spec
        .given(d.log)
        .when(requestModel, ctx)
        .thenThrows(IllegalStateError, /ready to run/);
      d.do(startTool('call_1_0'));
      spec
        .given(d.log)
        .when(requestModel, ctx)
        .thenThrows(IllegalStateError, /is running/);
    });

    it('refuses while a call waits for approval', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('issue_refund'));
      spec
        .given(d.log)
        .when(requestModel, ctx)
        .thenThrows(IllegalStateError, /approval/);
    });

    it('refuses before the start and after the end', () => {
      spec
        .given([])
        .when(requestModel, ctx)
        .thenThrows(IllegalStateError, /not started/);
      const d = startedDriver();
      d.do({ type: 'CancelRun', requestedBy: 'u_1' });
      spec
        .given(d.log)
        .when(requestModel, ctx)
        .thenThrows(IllegalStateError, /already ended/);
    });

    it('refuses a context time that is not ISO-8601', () => {
      spec
        .given(aRunLog(started()))
        .when(requestModel, { ...ctx, now: 'yesterday' })
        .thenThrows(ValidationError);
    });
  });

  describe('RecordModelResponse', () => {
    const afterRequest = () => aRunLog([...started(), modelRequested()]);

    it('completes the run with the text when the model calls no tool', () => {
      spec
        .given(afterRequest())
        .when(respond({ text: 'Order 1042 shipped.' }), ctx)
        .then([
          {
            type: 'model.responded',
            data: {
              step: 1,
              // The attempt of the `model.requested` it answers.
              attempt: 1,
              model: 'scripted-v1',
              text: 'Order 1042 shipped.',
              usage: {
                inputTokens: 400,
                outputTokens: 40,
                cachedInputTokens: 100,
                reasoningTokens: 0,
              },
              costUsd: 0.001,
              latencyMs: 12,
              finishReason: 'stop',
            },
          },
          {
            type: 'run.completed',
            data: {
              outcome: 'success',
              reason: 'completed',
              message: 'The agent finished.',
              output: 'Order 1042 shipped.',
            },
          },
        ]);
    });

    it('completes with an empty output when the model said nothing', () => {
      const events = spec
        .given(afterRequest())
        .when(respond({ toolCalls: [] }), ctx)
        .events();
      expect(events[0]?.data).not.toHaveProperty('toolCalls');
      expect(events[1]).toMatchObject({ type: 'run.completed', data: { output: '' } });
    });

    it('requests each proposed call with a deterministic call id and the tier of its spec', () => {
      const response = respond({
        text: 'Let me check.',
        toolCalls: [
          { name: 'lookup_order', args: { orderId: '1042' } },
          { name: 'issue_refund', args: { amount: 20 } },
        ],
      });
      const events = spec.given(afterRequest()).when(response, ctx).events();
      expect(events).toEqual([
        {
          type: 'model.responded',
          data: expect.objectContaining({
            step: 1,
            text: 'Let me check.',
            toolCalls: [
              { callId: 'call_1_0', name: 'lookup_order', args: { orderId: '1042' } },
              { callId: 'call_1_1', name: 'issue_refund', args: { amount: 20 } },
            ],
            finishReason: 'tool_calls',
          }),
        },
        {
          type: 'tool.requested',
          data: {
            callId: 'call_1_0',
            tool: 'lookup_order',
            tier: 0,
            args: { orderId: '1042' },
            step: 1,
            permission: 'allow',
            rule: 'permissions[0]: * × * × * → allow',
          },
        },
        {
          type: 'tool.requested',
          data: {
            callId: 'call_1_1',
            tool: 'issue_refund',
            tier: 2,
            args: { amount: 20 },
            step: 1,
            permission: 'ask',
            rule: 'permissions[0]: * × * × * → allow (tier 2 always asks)',
          },
        },
      ]);
    });

    it('numbers call ids by turn', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('noop'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      d.do(requestModel);
      expect(
        d.do(callTools('noop', 'noop')).map((e) => e.type === 'tool.requested' && e.data.callId),
      ).toEqual([false, 'call_2_0', 'call_2_1']);
    });

    it('denies a call to a tool the agent does not have, and still requests the others', () => {
      const events = spec.given(afterRequest()).when(callTools('rm_rf', 'noop'), ctx).events();
      expect(events.slice(1)).toEqual([
        {
          type: 'tool.denied',
          data: {
            callId: 'call_1_0',
            tool: 'rm_rf',
            reason: 'unknown_tool',
            message: 'There is no tool named "rm_rf". Use only the tools you were given.',
          },
        },
        {
          type: 'tool.requested',
          data: {
            callId: 'call_1_1',
            tool: 'noop',
            tier: 0,
            args: { n: 1 },
            step: 1,
            permission: 'allow',
            rule: 'permissions[0]: * × * × * → allow',
          },
        },
      ]);
    });

    it('aborts with token_budget when input + output tokens pass the limit', () => {
      const tight = aRelease({ limits: { maxTokens: 439 } });
      const d = startedDriver({}, tight);
      d.do(requestModel);
      const events = d.do(respond({ text: 'done' }));
      expect(events.map((e) => e.type)).toEqual(['model.responded', 'run.aborted']);
      expect(events[1]?.data).toMatchObject({
        reason: 'token_budget',
        limit: 'maxTokens',
        limitValue: 439,
      });
    });

    it('counts tokens over the whole run and ignores cached and reasoning tokens', () => {
      const limit = aRelease({ limits: { maxTokens: 880 } });
      const d = startedDriver({}, limit);
      d.do(requestModel);
      d.do(callTools('noop'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      d.do(requestModel);
      // 440 + 440 = 880: exactly at the limit is allowed.
      expect(d.do(respond({ text: 'ok' })).map((e) => e.type)).toEqual([
        'model.responded',
        'run.completed',
      ]);

      const over = startedDriver({}, aRelease({ limits: { maxTokens: 879 } }));
      over.do(requestModel);
      over.do(callTools('noop'));
      over.do(startTool('call_1_0'));
      over.do(completeTool('call_1_0'));
      over.do(requestModel);
      expect(over.do(respond({ text: 'ok' }))[1]).toMatchObject({
        type: 'run.aborted',
        data: { reason: 'token_budget' },
      });
    });

    it('aborts with reason budget when the run passes its dollar cap', () => {
      const capped = aRelease({ limits: { maxCostUsd: 0.0005 } });
      const d = startedDriver({}, capped);
      d.do(requestModel);
      const events = d.do(respond({ text: 'x' }));
      expect(events[1]).toMatchObject({
        type: 'run.aborted',
        data: { outcome: 'aborted', reason: 'budget', limit: 'maxCostUsd', limitValue: 0.0005 },
      });
    });

    it('aborts with max_tool_calls when the calls would pass the limit', () => {
      const two = aRelease({ limits: { maxToolCalls: 2 } });
      const d = startedDriver({}, two);
      d.do(requestModel);
      const events = d.do(callTools('noop', 'noop', 'noop'));
      expect(events.map((e) => e.type)).toEqual(['model.responded', 'run.aborted']);
      expect(events[1]?.data).toMatchObject({
        reason: 'max_tool_calls',
        limit: 'maxToolCalls',
        limitValue: 2,
      });
    });

    it('counts tool calls over the whole run, allows exactly the limit, and ignores denied calls', () => {
      const two = aRelease({ limits: { maxToolCalls: 2 } });
      const d = startedDriver({}, two);
      d.do(requestModel);
      d.do(callTools('noop', 'no_such_tool'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      d.do(requestModel);
      expect(d.do(callTools('noop')).map((e) => e.type)).toEqual([
        'model.responded',
        'tool.requested',
      ]);
      d.do(startTool('call_2_0'));
      d.do(completeTool('call_2_0'));
      d.do(requestModel);
      expect(d.do(callTools('noop'))[1]).toMatchObject({
        type: 'run.aborted',
        data: { reason: 'max_tool_calls' },
      });
    });

    it('refuses a response nobody asked for', () => {
      spec
        .given(aRunLog(started()))
        .when(respond({ text: 'hi' }), ctx)
        .thenThrows(IllegalStateError, /no model call/);
    });

    it('refuses a second response to the same request', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('noop'));
      spec
        .given(d.log)
        .when(respond({ text: 'again' }), ctx)
        .thenThrows(IllegalStateError);
    });

    it('needs the run’s release to look tools up', () => {
      spec
        .given(afterRequest())
        .when(callTools('noop'), { now: ctx.now })
        .thenThrows(ValidationError, /release is required/);
      const other = aRelease({ release: 'rel_ffffffffffffffff' });
      spec
        .given(afterRequest())
        .when(callTools('noop'), { ...ctx, release: other })
        .thenThrows(ValidationError, /executes/);
    });

    it('does not need the release for a plain answer', () => {
      const events = spec
        .given(afterRequest())
        .when(respond({ text: 'hi' }), { now: ctx.now })
        .events();
      expect(events.map((e) => e.type)).toEqual(['model.responded', 'run.completed']);
    });
  });

  describe('RecordModelFailure', () => {
    const failure = (retryable: boolean, maxAttempts = 3) =>
      ({
        type: 'RecordModelFailure',
        model: 'scripted-v1',
        error: 'HTTP 429',
        retryable,
        maxAttempts,
      }) as const;

    it('records a retryable failure below the attempt limit and nothing more', () => {
      spec
        .given(aRunLog([...started(), modelRequested()]))
        .when(failure(true), ctx)
        .then([
          {
            type: 'model.failed',
            data: { step: 1, attempt: 1, model: 'scripted-v1', error: 'HTTP 429', retryable: true },
          },
        ]);
    });

    it('fails the run with model_error when the last attempt failed', () => {
      spec
        .given(
          aRunLog([...started(), modelRequested(1, 1), modelRequested(1, 2), modelRequested(1, 3)]),
        )
        .when(failure(true, 3), ctx)
        .then([
          {
            type: 'model.failed',
            data: { step: 1, attempt: 3, model: 'scripted-v1', error: 'HTTP 429', retryable: true },
          },
          {
            type: 'run.failed',
            data: {
              outcome: 'failed',
              reason: 'model_error',
              message: 'The AI model could not answer right now. Please try again later.',
              detail: 'HTTP 429',
            },
          },
        ]);
    });

    it('fails the run at once on a failure that is not retryable', () => {
      const events = spec
        .given(aRunLog([...started(), modelRequested()]))
        .when(failure(false), ctx)
        .events();
      expect(events.map((e) => e.type)).toEqual(['model.failed', 'run.failed']);
    });

    it('refuses a failure with no request outstanding', () => {
      spec.given(aRunLog(started())).when(failure(true), ctx).thenThrows(IllegalStateError);
    });

    it('refuses a maxAttempts below 1', () => {
      spec
        .given(aRunLog([...started(), modelRequested()]))
        .when(failure(true, 0), ctx)
        .thenThrows(ValidationError);
    });
  });

  describe('CancelRun', () => {
    it('cancels a running run', () => {
      spec
        .given(aRunLog(started()))
        .when({ type: 'CancelRun', requestedBy: 'u_88' }, ctx)
        .then([
          {
            type: 'run.cancelled',
            data: {
              outcome: 'aborted',
              reason: 'cancelled',
              message: 'The run was cancelled.',
              requestedBy: 'u_88',
            },
          },
        ]);
    });

    it('gives the reason in the message', () => {
      const [event] = spec
        .given(aRunLog(started()))
        .when({ type: 'CancelRun', requestedBy: 'u_88', reason: 'changed my mind' }, ctx)
        .events();
      expect(event?.data).toHaveProperty('message', 'The run was cancelled: changed my mind');
    });

    it('cancels a run that waits for a tool or an approval', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('issue_refund', 'noop'));
      d.do(startTool('call_1_1'));
      expect(d.do({ type: 'CancelRun', requestedBy: 'op' })[0]?.type).toBe('run.cancelled');
    });

    it('refuses to cancel a run that ended or never started', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(respond({ text: 'done' }));
      spec
        .given(d.log)
        .when({ type: 'CancelRun', requestedBy: 'u_88' }, ctx)
        .thenThrows(IllegalStateError, /already ended/);
      spec
        .given([])
        .when({ type: 'CancelRun', requestedBy: 'u_88' }, ctx)
        .thenThrows(IllegalStateError, /not started/);
    });
  });

  describe('StartToolCall', () => {
    const pending = () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order', 'issue_refund'));
      return d;
    };

    it('starts a requested call with its idempotency key', () => {
      spec
        .given(pending().log)
        .when(startTool('call_1_0'), ctx)
        .then([
          {
            type: 'tool.started',
            data: {
              callId: 'call_1_0',
              tool: 'lookup_order',
              attempt: 1,
              idempotencyKey: 'run_01JTEST0000000000000000000:call_1_0',
              deadline: testEventTime(600),
              dryRun: false,
            },
          },
        ]);
    });

    it('refuses to start a call twice', () => {
      const d = pending();
      d.do(startTool('call_1_0'));
      spec
        .given(d.log)
        .when(startTool('call_1_0'), ctx)
        .thenThrows(IllegalStateError, /is started/);
    });

    it('refuses a finished or unknown call', () => {
      const d = pending();
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      spec
        .given(d.log)
        .when(startTool('call_1_0'), ctx)
        .thenThrows(IllegalStateError, /not pending/);
      spec
        .given(d.log)
        .when(startTool('call_9_9'), ctx)
        .thenThrows(IllegalStateError, /not pending/);
    });

    it('refuses a tier-2 call until an approver grants it', () => {
      const d = pending();
      spec
        .given(d.log)
        .when(startTool('call_1_1'), ctx)
        .thenThrows(IllegalStateError, /awaiting_approval/);
      d.record({ type: 'approval.requested', data: approvalRequested('call_1_1') });
      spec
        .given(d.log)
        .when(startTool('call_1_1'), ctx)
        .thenThrows(IllegalStateError, /awaiting_approval/);
      d.record({
        type: 'approval.granted',
        data: { approvalId: 'apr_1', callId: 'call_1_1', approverId: 'u_12' },
      });
      expect(d.do(startTool('call_1_1'))[0]).toMatchObject({
        type: 'tool.started',
        data: { callId: 'call_1_1', tool: 'issue_refund' },
      });
    });

    it('runs tools only as dry runs in shadow and dry-run mode', () => {
      for (const mode of ['shadow', 'dry-run'] as const) {
        const d = startedDriver({ mode });
        d.do(requestModel);
        d.do(callTools('lookup_order'));
        spec
          .given(d.log)
          .when(startTool('call_1_0', false), ctx)
          .thenThrows(IllegalStateError, /dry runs/);
        expect(d.do(startTool('call_1_0', true))[0]).toMatchObject({ data: { dryRun: true } });
      }
    });

    it('refuses to start a call once the run ended', () => {
      const d = pending();
      d.do({ type: 'CancelRun', requestedBy: 'op' });
      spec
        .given(d.log)
        .when(startTool('call_1_0'), ctx)
        .thenThrows(IllegalStateError, /already ended/);
    });

    it('refuses a deadline that is not a time', () => {
      spec
        .given(pending().log)
        .when({ type: 'StartToolCall', callId: 'call_1_0', deadline: 'soon', dryRun: false }, ctx)
        .thenThrows(ValidationError);
    });
  });

  describe('CompleteToolCall and FailToolCall', () => {
    const running = () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order', 'noop'));
      d.do(startTool('call_1_0'));
      return d;
    };

    it('completes a started call', () => {
      spec
        .given(running().log)
        .when(completeTool('call_1_0', { status: 'shipped' }), ctx)
        .then([
          {
            type: 'tool.completed',
            data: {
              callId: 'call_1_0',
              tool: 'lookup_order',
              result: { status: 'shipped' },
              latencyMs: 7,
              dryRun: false,
            },
          },
        ]);
    });

    it('records a result of undefined as null', () => {
      const [event] = spec
        .given(running().log)
        .when(completeTool('call_1_0', undefined), ctx)
        .events();
      expect(event?.data).toHaveProperty('result', null);
    });

    it('fails a started call', () => {
      spec
        .given(running().log)
        .when(failTool('call_1_0', true), ctx)
        .then([
          {
            type: 'tool.failed',
            data: {
              callId: 'call_1_0',
              tool: 'lookup_order',
              reason: 'tool_error',
              error: 'upstream said 503',
              retryable: true,
              latencyMs: 9,
            },
          },
        ]);
    });

    it('leaves latencyMs out when unknown', () => {
      const [event] = spec
        .given(running().log)
        .when(
          {
            type: 'FailToolCall',
            callId: 'call_1_0',
            reason: 'unknown_outcome',
            error: 'timed out',
            retryable: false,
          },
          ctx,
        )
        .events();
      expect(event?.data).not.toHaveProperty('latencyMs');
    });

    it('refuses a call that has not started, is unknown or already finished', () => {
      const d = running();
      spec
        .given(d.log)
        .when(completeTool('call_1_1'), ctx)
        .thenThrows(IllegalStateError, /not started/);
      spec
        .given(d.log)
        .when(failTool('call_1_1'), ctx)
        .thenThrows(IllegalStateError, /not started/);
      spec
        .given(d.log)
        .when(completeTool('call_7_0'), ctx)
        .thenThrows(IllegalStateError, /not pending/);
      d.do(completeTool('call_1_0'));
      spec
        .given(d.log)
        .when(completeTool('call_1_0'), ctx)
        .thenThrows(IllegalStateError, /not pending/);
      spec
        .given(d.log)
        .when(failTool('call_1_0'), ctx)
        .thenThrows(IllegalStateError, /not pending/);
    });

    it('still records the outcome of a call that was running when the run ended', () => {
      const d = running();
      d.do({ type: 'CancelRun', requestedBy: 'op' });
      expect(d.do(completeTool('call_1_0'))[0]?.type).toBe('tool.completed');
      expect(d.state.status).toBe('cancelled');
    });

    it('refuses on a run that never started', () => {
      spec
        .given([])
        .when(completeTool('call_1_0'), ctx)
        .thenThrows(IllegalStateError, /not started/);
    });

    it('refuses a failure reason that is not a code', () => {
      spec
        .given(running().log)
        .when(
          {
            type: 'FailToolCall',
            callId: 'call_1_0',
            reason: 'Bad Thing!',
            error: 'x',
            retryable: false,
          },
          ctx,
        )
        .thenThrows(ValidationError);
    });
  });

  describe('CheckDeadline', () => {
    it('decides nothing before the deadline', () => {
      spec
        .given(aRunLog(started()))
        .when({ type: 'CheckDeadline' }, { ...ctx, now: BEFORE_DEADLINE })
        .thenNothing();
    });

    it('aborts with timeout after the deadline, also while a tool call waits to run', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      const [event] = d.do({ type: 'CheckDeadline' }, { now: AFTER_DEADLINE });
      expect(event).toEqual({
        type: 'run.aborted',
        data: {
          outcome: 'aborted',
          reason: 'timeout',
          message: 'The agent ran out of time (90 s) before reaching an answer. Please try again.',
          limit: 'timeoutMs',
          limitValue: 90000,
        },
      });
      expect(d.state.status).toBe('aborted');
    });

    it('decides nothing for a run that ended or never started', () => {
      const d = startedDriver();
      d.do({ type: 'CancelRun', requestedBy: 'op' });
      spec
        .given(d.log)
        .when({ type: 'CheckDeadline' }, { ...ctx, now: AFTER_DEADLINE })
        .thenNothing();
      spec
        .given([])
        .when({ type: 'CheckDeadline' }, { ...ctx, now: AFTER_DEADLINE })
        .thenNothing();
    });
  });

  describe('determinism', () => {
    it('decides the same events from the same log and context', () => {
      const d = startedDriver();
      d.do(requestModel);
      const a = decide(callTools('lookup_order', 'nope', 'issue_refund'), d.state, ctx);
      const b = decide(callTools('lookup_order', 'nope', 'issue_refund'), fold(d.log), ctx);
      expect(a).toEqual(b);
    });

    it('does not mutate the state it decides on', () => {
      const d = startedDriver();
      d.do(requestModel);
      const state = d.state;
      const before = structuredClone(state);
      decide(callTools('lookup_order'), state, ctx);
      decide({ type: 'CancelRun', requestedBy: 'x' }, state, ctx);
      expect(state).toEqual(before);
    });
  });

  it('turns a whole run into events that fold to a completed run', () => {
    const d = new Driver();
    d.do(startCommand());
    for (let i = 0; i < 4; i++) {
      d.do(requestModel);
      const [, requested] = d.do(
        respond({ toolCalls: [{ name: 'lookup_order', args: { orderId: String(1040 + i) } }] }),
      );
      const callId = (requested as Extract<DecidedEvent, { type: 'tool.requested' }>).data.callId;
      d.do(startTool(callId));
      d.do(completeTool(callId));
    }
    d.do(requestModel);
    d.do(respond({ text: 'All shipped.' }));
    expect(d.entries).toHaveLength(24);
    expect(d.state).toMatchObject({
      status: 'completed',
      step: 5,
      toolCalls: 4,
      output: 'All shipped.',
      version: 24,
    });
  });
});

function approvalRequested(callId: string) {
  return {
    approvalId: 'apr_1',
    callId,
    tool: 'issue_refund',
    tier: 2 as const,
    args: { n: 1 },
    requestedBy: 'u_88',
    expiresAt: testEventTime(3600),
    quorum: 1,
  };
}

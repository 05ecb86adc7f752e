import { EVENT_TYPES, type EventData, type EventType, type TetherEvent } from '@tether/contracts';
import {
  aModelResponded,
  aRunLog,
  aRunStarted,
  anEvent,
  aToolCompleted,
  aToolRequested,
  aToolStarted,
  testEventId,
  testEventTime,
  type LogEntry,
} from '@tether/testing';
import {
  evolve,
  fold,
  initialState,
  isTerminal,
  type RunState,
  type TranscriptEntry,
} from '../src';
import {
  Driver,
  callTools,
  completeTool,
  deepFreeze,
  failTool,
  requestModel,
  respond,
  startCommand,
  startTool,
  started,
  startedDriver,
} from './run.fixtures';

const e = <T extends EventType>(type: T, data: EventData<T>): LogEntry => ({ type, data });

/** One valid data sample per event type. Typed as a full record: a new contract type fails to compile here. */
const SAMPLES: { [K in EventType]: EventData<K> } = {
  'run.started': aRunStarted(),
  'run.rejected': { outcome: 'failed', reason: 'unknown_agent', message: 'no', agent: 'ghost' },
  'model.requested': { step: 1, attempt: 1, provider: 'scripted', model: 'scripted-v1' },
  'model.responded': aModelResponded(1),
  'model.failed': { step: 1, attempt: 1, model: 'scripted-v1', error: 'x', retryable: true },
  'guardrail.triggered': { ruleId: 'pii', stage: 'input', action: 'redact' },
  'tool.requested': aToolRequested('call_1_0'),
  'tool.denied': {
    callId: 'call_1_0',
    tool: 'lookup_order',
    reason: 'permission_denied',
    message: 'no',
  },
  'tool.started': aToolStarted('call_1_0'),
  'tool.completed': aToolCompleted('call_1_0'),
  'tool.failed': {
    callId: 'call_1_0',
    tool: 'lookup_order',
    reason: 'tool_error',
    error: 'x',
    retryable: false,
  },
  'approval.requested': {
    approvalId: 'apr_1',
    callId: 'call_1_0',
    tool: 'lookup_order',
    tier: 0,
    args: {},
    requestedBy: 'u_88',
    expiresAt: testEventTime(999),
    quorum: 1,
  },
  'approval.granted': { approvalId: 'apr_1', callId: 'call_1_0', approverId: 'u_12' },
  'approval.denied': { approvalId: 'apr_1', callId: 'call_1_0', approverId: 'u_12' },
  'approval.expired': { approvalId: 'apr_1', callId: 'call_1_0' },
  'tool.drafted': {
    draftId: 'drf_1',
    callId: 'call_1_0',
    tool: 'lookup_order',
    tier: 0,
    args: {},
    requestedBy: 'u_88',
    agent: 'test-agent',
  },
  'review.requested': {
    reviewId: 'rev_1',
    callId: 'call_1_0',
    tool: 'lookup_order',
    tier: 0,
    args: {},
    requestedBy: 'u_88',
    agent: 'test-agent',
  },
  'budget.reserved': { reservationId: 'res_1', amountUsd: 0.01 },
  'budget.warning': { cap: 'run', spentUsd: 0.8, limitUsd: 1, share: 0.8 },
  'budget.exceeded': { cap: 'run', limitUsd: 1, requestedUsd: 0.3 },
  'run.escalated': { reason: 'unknown_outcome', message: 'look at it' },
  'run.completed': { outcome: 'success', reason: 'completed', message: 'ok', output: 'out' },
  'run.failed': { outcome: 'failed', reason: 'model_error', message: 'no' },
  'run.aborted': { outcome: 'aborted', reason: 'max_steps', message: 'no' },
  'run.cancelled': { outcome: 'aborted', reason: 'cancelled', message: 'no', requestedBy: 'op' },
};

/** start, 5 model turns (the first 4 call one tool each), completed: 24 events. */
function fiveStepRun(): TetherEvent[] {
  const d = new Driver();
  d.do(startCommand());
  for (let step = 1; step <= 4; step++) {
    d.do(requestModel);
    d.do(
      respond({ toolCalls: [{ name: 'lookup_order', args: { orderId: String(1040 + step) } }] }),
    );
    d.do(startTool(`call_${step}_0`));
    d.do(completeTool(`call_${step}_0`, { step }));
  }
  d.do(requestModel);
  d.do(respond({ text: 'All shipped.' }));
  return d.log;
}

describe('evolve', () => {
  describe('initial state', () => {
    it('is a new, empty run', () => {
      expect(initialState()).toEqual({
        status: 'new',
        roles: [],
        mode: 'live',
        step: 0,
        modelAttempt: 0,
        awaitingModel: false,
        toolCalls: 0,
        tokens: 0,
        costUsd: 0,
        transcript: [],
        pendingCalls: [],
        callHistory: [],
        repairing: false,
        escalated: false,
        approvalWaitMs: 0,
        version: 0,
      });
      expect(isTerminal(initialState())).toBe(false);
    });

    it('is a fresh object each time', () => {
      expect(initialState()).not.toBe(initialState());
      expect(initialState().transcript).not.toBe(initialState().transcript);
    });
  });

  describe('every event type', () => {
    it('has a sample for each type of the contract', () => {
      expect(Object.keys(SAMPLES).sort()).toEqual([...EVENT_TYPES].sort());
    });

    it.each(EVENT_TYPES)('folds %s after a start, counting it', (type) => {
      const log = aRunLog([...started(), e(type, SAMPLES[type] as never)]);
      const state = fold(log);
      expect(state.version).toBe(2);
      expect(state.lastEventId).toBe(testEventId(2));
    });

    it.each(['guardrail.triggered', 'budget.warning', 'budget.exceeded'] as const)(
      'changes nothing but version and lastEventId on %s',
      (type) => {
        const before = fold(aRunLog(started()));
        const after = fold(aRunLog([...started(), e(type, SAMPLES[type])]));
        expect({ ...after, version: 1, lastEventId: before.lastEventId }).toEqual(before);
      },
    );

    it("remembers a model call's reservation from budget.reserved, and a tool call's on the call", () => {
      const model = fold(
        aRunLog([...started(), e('budget.reserved', { reservationId: 'res_m', amountUsd: 0.2 })]),
      );
      expect(model.modelReservation).toBe('res_m');
      const tool = fold(
        aRunLog([
          ...started(),
          e('model.requested', { step: 1, attempt: 1, provider: 'scripted', model: 'scripted-v1' }),
          e(
            'model.responded',
            aModelResponded(1, {
              toolCalls: [{ callId: 'call_1_0', name: 'lookup_order', args: {} }],
            }),
          ),
          e('tool.requested', {
            callId: 'call_1_0',
            tool: 'lookup_order',
            tier: 0,
            args: {},
            step: 1,
          }),
          e('budget.reserved', { reservationId: 'res_t', amountUsd: 0.03, callId: 'call_1_0' }),
        ]),
      );
      expect(tool.modelReservation).toBeUndefined();
      expect(tool.pendingCalls[0]?.reservation).toEqual({ id: 'res_t', amountUsd: 0.03 });
    });
  });

  describe('run.started', () => {
    it('takes the run from new to running with everything the run needs', () => {
      const data = aRunStarted({ metadata: { k: 1 }, requestId: 'req-9', mode: 'shadow' });
      const state = evolve(initialState(), anEvent('run.started', data, { seq: 1 }));
      expect(state).toEqual({
        status: 'running',
        runId: 'run_01JTEST0000000000000000000',
        tenantId: 'acme',
        agent: 'test-agent',
        release: 'rel_0000000000000000',
        userId: 'u_88',
        roles: ['user'],
        mode: 'shadow',
        input: 'Where is order 1042?',
        startedAt: testEventTime(1),
        model: { provider: 'scripted', id: 'scripted-v1' },
        limits: { maxSteps: 15, maxToolCalls: 25, maxTokens: 200000, timeoutMs: 90000 },
        metadata: { k: 1 },
        requestId: 'req-9',
        step: 0,
        modelAttempt: 0,
        awaitingModel: false,
        toolCalls: 0,
        tokens: 0,
        costUsd: 0,
        transcript: [{ role: 'user', content: 'Where is order 1042?' }],
        pendingCalls: [],
        callHistory: [],
        repairing: false,
        escalated: false,
        approvalWaitMs: 0,
        lastEventId: testEventId(1),
        version: 1,
      });
    });
  });

  describe('status transitions', () => {
    it('new → rejected on run.rejected', () => {
      const state = fold(aRunLog([e('run.rejected', SAMPLES['run.rejected'])]));
      expect(state).toMatchObject({
        status: 'rejected',
        runId: 'run_01JTEST0000000000000000000',
        outcome: 'failed',
        reason: 'unknown_agent',
        agent: 'ghost',
      });
      expect(isTerminal(state)).toBe(true);
    });

    it('running → waiting_for_tool → running around a tier-0 call', () => {
      const d = startedDriver();
      const seen: string[] = [d.state.status];
      d.do(requestModel);
      seen.push(d.state.status);
      d.do(callTools('lookup_order'));
      seen.push(d.state.status);
      d.do(startTool('call_1_0'));
      seen.push(d.state.status);
      d.do(completeTool('call_1_0'));
      seen.push(d.state.status);
      expect(seen).toEqual([
        'running',
        'running',
        'waiting_for_tool',
        'waiting_for_tool',
        'running',
      ]);
    });

    it('waits for approval from the moment a tier-2 call is requested', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('issue_refund'));
      expect(d.state.status).toBe('waiting_for_approval');
      expect(d.state.pendingCalls[0]).toMatchObject({
        callId: 'call_1_0',
        tier: 2,
        status: 'awaiting_approval',
      });
    });

    it('parks any call for approval on approval.requested and releases it with the edited args on approval.granted', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.record(e('approval.requested', { ...SAMPLES['approval.requested'], callId: 'call_1_0' }));
      expect(d.state.status).toBe('waiting_for_approval');
      expect(d.state.pendingCalls[0]).toMatchObject({
        status: 'awaiting_approval',
        approvalId: 'apr_1',
      });
      d.record(
        e('approval.granted', {
          approvalId: 'apr_1',
          callId: 'call_1_0',
          approverId: 'u_12',
          editedArgs: { n: 42 },
        }),
      );
      expect(d.state.status).toBe('waiting_for_tool');
      expect(d.state.pendingCalls[0]).toMatchObject({ status: 'requested', args: { n: 42 } });
    });

    it('keeps the args when the grant does not edit them', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('issue_refund'));
      d.record(
        e('approval.granted', { approvalId: 'apr_1', callId: 'call_1_0', approverId: 'u_12' }),
      );
      expect(d.state.pendingCalls[0]).toMatchObject({ status: 'requested', args: { n: 0 } });
    });

    it('ignores a grant for a call that is not waiting for one', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do(startTool('call_1_0'));
      const before = d.state;
      d.record(
        e('approval.granted', {
          approvalId: 'apr_1',
          callId: 'call_1_0',
          approverId: 'u_12',
          editedArgs: { x: 1 },
        }),
      );
      expect(d.state.pendingCalls).toEqual(before.pendingCalls);
    });

    it.each([
      [
        'approval.denied',
        e('approval.denied', {
          approvalId: 'apr_1',
          callId: 'call_1_0',
          approverId: 'u_12',
          reason: 'too much',
        }),
        'An approver denied this call: too much',
      ],
      [
        'approval.expired',
        e('approval.expired', { approvalId: 'apr_1', callId: 'call_1_0' }),
        'The approval request expired before anyone decided; the call was not made.',
      ],
    ])('drops the call on %s and tells the model', (_name, entry, message) => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('issue_refund'));
      d.record(entry);
      expect(d.state.status).toBe('running');
      expect(d.state.pendingCalls).toEqual([]);
      expect(d.state.transcript.at(-1)).toEqual({
        role: 'tool',
        callId: 'call_1_0',
        name: 'issue_refund',
        content: message,
        isError: true,
      });
    });

    it('says waiting_for_tool while one call can progress and another waits for a human', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('issue_refund', 'noop'));
      expect(d.state.status).toBe('waiting_for_tool');
      d.do(startTool('call_1_1'));
      expect(d.state.status).toBe('waiting_for_tool');
      d.do(completeTool('call_1_1'));
      expect(d.state.status).toBe('waiting_for_approval');
    });

    it('goes back to running when the last call fails or is denied', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('noop', 'lookup_order'));
      d.do(startTool('call_1_0'));
      d.do(failTool('call_1_0'));
      expect(d.state.status).toBe('waiting_for_tool');
      d.record(
        e('tool.denied', {
          callId: 'call_1_1',
          tool: 'lookup_order',
          reason: 'permission_denied',
          message: 'Not allowed.',
        }),
      );
      expect(d.state.status).toBe('running');
      expect(d.state.pendingCalls).toEqual([]);
    });

    it.each([
      ['run.completed', 'completed'],
      ['run.failed', 'failed'],
      ['run.aborted', 'aborted'],
      ['run.cancelled', 'cancelled'],
    ] as const)('%s ends the run as %s with its outcome, reason and message', (type, status) => {
      const data = SAMPLES[type];
      const state = fold(aRunLog([...started(), e(type, data)]));
      expect(state).toMatchObject({
        status,
        outcome: data.outcome,
        reason: data.reason,
        message: data.message,
      });
      expect(isTerminal(state)).toBe(true);
      if (type === 'run.completed') expect(state.output).toBe('out');
      else expect(state.output).toBeUndefined();
    });

    it('keeps the first terminal event and still records a late tool result', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do(startTool('call_1_0'));
      d.do({ type: 'CancelRun', requestedBy: 'op' });
      d.record(e('run.completed', SAMPLES['run.completed']));
      d.do(completeTool('call_1_0', 'late'));
      const state = d.state;
      expect(state).toMatchObject({ status: 'cancelled', reason: 'cancelled', pendingCalls: [] });
      expect(state.output).toBeUndefined();
      expect(state.transcript.at(-1)).toMatchObject({
        role: 'tool',
        content: 'late',
        isError: false,
      });
    });
  });

  describe('counters', () => {
    it('tracks steps, attempts, tokens, cost and tool calls', () => {
      const d = startedDriver();
      d.do(requestModel);
      expect(d.state).toMatchObject({ modelAttempt: 1, awaitingModel: true, step: 0 });
      d.do({ type: 'RecordModelFailure', model: 'm', error: 'x', retryable: true, maxAttempts: 5 });
      expect(d.state).toMatchObject({ modelAttempt: 1, awaitingModel: false, step: 0 });
      d.do(requestModel);
      expect(d.state).toMatchObject({ modelAttempt: 2, awaitingModel: true });
      d.do(callTools('noop', 'lookup_order', 'bogus'));
      expect(d.state).toMatchObject({
        step: 1,
        modelAttempt: 0,
        awaitingModel: false,
        toolCalls: 2,
        tokens: 440,
      });
      expect(d.state.costUsd).toBeCloseTo(0.001);
      d.do(startTool('call_1_0'));
      expect(d.state.pendingCalls[0]).toMatchObject({
        status: 'started',
        attempt: 1,
        startedSeq: d.entries.length,
        deadline: testEventTime(600),
      });
      d.do(completeTool('call_1_0'));
      d.do(startTool('call_1_1'));
      d.do(completeTool('call_1_1'));
      d.do(requestModel);
      d.do(respond({ text: 'done' }));
      expect(d.state).toMatchObject({
        step: 2,
        toolCalls: 2,
        tokens: 880,
        version: d.entries.length,
      });
      expect(d.state.costUsd).toBeCloseTo(0.002);
    });
  });

  describe('transcript', () => {
    it('rebuilds the conversation the model sees', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(
        respond({
          text: 'Checking.',
          toolCalls: [
            { name: 'lookup_order', args: { id: 1 } },
            { name: 'nope', args: {} },
            { name: 'noop', args: {} },
          ],
        }),
      );
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0', { status: 'shipped' }));
      d.do(startTool('call_1_2'));
      d.do(failTool('call_1_2'));
      d.do(requestModel);
      d.do(callTools('issue_refund'));
      d.record(
        e('approval.denied', { approvalId: 'apr_1', callId: 'call_2_0', approverId: 'u_12' }),
      );
      d.do(requestModel);
      d.do(respond({ text: 'Order shipped; no refund.' }));
      const expected: TranscriptEntry[] = [
        { role: 'user', content: 'Where is order 1042?' },
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [
            { callId: 'call_1_0', name: 'lookup_order', args: { id: 1 } },
            { callId: 'call_1_1', name: 'nope', args: {} },
            { callId: 'call_1_2', name: 'noop', args: {} },
          ],
        },
        {
          role: 'tool',
          callId: 'call_1_1',
          name: 'nope',
          content: 'There is no tool named "nope". Use only the tools you were given.',
          isError: true,
        },
        {
          role: 'tool',
          callId: 'call_1_0',
          name: 'lookup_order',
          content: { status: 'shipped' },
          isError: false,
        },
        {
          role: 'tool',
          callId: 'call_1_2',
          name: 'noop',
          content: 'upstream said 503',
          isError: true,
        },
        {
          role: 'assistant',
          toolCalls: [{ callId: 'call_2_0', name: 'issue_refund', args: { n: 0 } }],
        },
        {
          role: 'tool',
          callId: 'call_2_0',
          name: 'issue_refund',
          content: 'An approver denied this call.',
          isError: true,
        },
        { role: 'assistant', content: 'Order shipped; no refund.' },
      ];
      expect(d.state.transcript).toEqual(expected);
      expect(d.state.status).toBe('completed');
    });
  });

  describe('purity and determinism', () => {
    it('folds the same events to the same state, every time', () => {
      const log = fiveStepRun();
      const a = fold(log);
      const b = fold(log);
      expect(a).toEqual(b);
      expect(a).not.toBe(b);
      expect(a.transcript).not.toBe(b.transcript);
      expect(fold(structuredClone(log))).toEqual(a);
    });

    it('folds 5-step runs without mutating the events', () => {
      const log = fiveStepRun();
      const snapshot = structuredClone(log);
      deepFreeze(log);
      const state = fold(log);
      fold(log, state);
      log.reduce<RunState>(evolve, initialState());
      expect(log).toEqual(snapshot);
      expect(state).toMatchObject({ status: 'completed', step: 5, toolCalls: 4, version: 24 });
    });

    it('gives the same state as evolving one event at a time', () => {
      const log = fiveStepRun();
      for (let n = 0; n <= log.length; n++) {
        const prefix = log.slice(0, n);
        expect(fold(prefix)).toEqual(prefix.reduce<RunState>(evolve, initialState()));
      }
    });

    it('continues from a given state without changing it', () => {
      const log = fiveStepRun();
      const head = fold(log.slice(0, 10));
      const snapshot = structuredClone(head);
      const whole = fold(log.slice(10), head);
      expect(whole).toEqual(fold(log));
      expect(head).toEqual(snapshot);
    });

    it('never changes a state or its arrays once handed out', () => {
      const log = fiveStepRun();
      let state = initialState();
      const seen: { state: RunState; copy: RunState }[] = [];
      for (const event of log) {
        const next = evolve(state, event);
        expect(next).not.toBe(state);
        seen.push({ state, copy: structuredClone(state) });
        state = next;
      }
      for (const { state: s, copy } of seen) expect(s).toEqual(copy);
    });

    it('leaves a frozen state alone', () => {
      const log = fiveStepRun();
      const frozen = deepFreeze(fold(log.slice(0, 6)));
      expect(() => fold(log.slice(6), frozen)).not.toThrow();
      expect(() => evolve(frozen, log[6] as TetherEvent)).not.toThrow();
    });

    it('folds any iterable', () => {
      const log = fiveStepRun();
      function* events() {
        yield* log;
      }
      expect(fold(events())).toEqual(fold(log));
    });
  });
});

import { IllegalStateError, ValidationError } from '@tether/errors';
import { aRelease } from '@tether/testing';
import { DEFAULT_APPROVAL_TTL_MS as APPROVAL_TTL_MS } from '../src/autonomy.policy';
import { nextAction, type RunCommand } from '../src';
import { ctx, requestModel, respond, startTool, startedDriver } from './run.fixtures';

const TOOLS = [
  { name: 'lookup_order', tier: 0 as const },
  { name: 'draft_refund_note', tier: 1 as const, resource: 'order:{orderId}' },
  { name: 'issue_refund', tier: 2 as const, resource: 'order:{orderId}' },
];

const desk = aRelease({
  tools: TOOLS,
  spec: {
    permissions: [
      { role: 'user', tool: 'lookup_*', resource: '*', effect: 'allow' },
      { role: 'user', tool: '*', resource: 'order:9*', effect: 'deny' },
      { role: 'user', tool: 'draft_*', resource: 'order:1*', effect: 'allow' },
      { role: 'user', tool: '*', resource: '*', effect: 'ask' },
    ],
  },
});

const call = (name: string, args: Record<string, unknown>): RunCommand =>
  respond({ toolCalls: [{ name, args }] });

function deskRun(roles = ['user']) {
  const d = startedDriver({ roles }, desk);
  d.do(requestModel);
  return d;
}

describe('permissions in decide', () => {
  it('requests an allowed call, recording the rule that allowed it', () => {
    const events = deskRun().do(call('lookup_order', { orderId: '1042' }));
    expect(events[1]).toMatchObject({
      type: 'tool.requested',
      data: { permission: 'allow', rule: 'permissions[0]: user × lookup_* × * → allow' },
    });
  });

  it('denies a forbidden call with the rule that fired, and never runs it', () => {
    const d = deskRun();
    const events = d.do(call('draft_refund_note', { orderId: '9001', note: 'x' }));
    expect(events[1]).toEqual({
      type: 'tool.denied',
      data: {
        callId: 'call_1_0',
        tool: 'draft_refund_note',
        reason: 'permission_denied',
        message: expect.stringContaining('not allowed'),
        rule: 'permissions[1]: user × * × order:9* → deny',
      },
    });
    expect(d.state.pendingCalls).toEqual([]);
    expect(d.state.toolCalls).toBe(0);
    expect(nextAction(d.state)).toMatchObject({ kind: 'call_model', step: 2 });
  });

  it('denies by default a role no rule names', () => {
    const events = deskRun(['guest']).do(call('lookup_order', { orderId: '1' }));
    expect(events[1]).toMatchObject({
      type: 'tool.denied',
      data: { reason: 'permission_denied', rule: 'default deny' },
    });
  });

  it('denies every call of an agent without a permission matrix', () => {
    const bare = aRelease({ tools: TOOLS, spec: { permissions: undefined } });
    const d = startedDriver({}, bare);
    d.do(requestModel);
    expect(d.do(call('lookup_order', { orderId: '1' }))[1]).toMatchObject({
      type: 'tool.denied',
      data: { rule: 'default deny' },
    });
  });

  it('does not count denied calls against max_tool_calls', () => {
    const tight = aRelease({
      tools: TOOLS,
      limits: { maxToolCalls: 1 },
      spec: { permissions: desk.spec.permissions },
    });
    const d = startedDriver({}, tight);
    d.do(requestModel);
    const events = d.do(
      respond({
        toolCalls: [
          { name: 'draft_refund_note', args: { orderId: '9001', note: 'x' } },
          { name: 'lookup_order', args: { orderId: '1' } },
        ],
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['model.responded', 'tool.denied', 'tool.requested']);
  });

  describe('ask', () => {
    it('parks a tier 1 call the matrix asks about, with no window in which it could run', () => {
      const d = deskRun();
      const events = d.do(call('draft_refund_note', { orderId: '2042', note: 'x' }));
      expect(events[1]).toMatchObject({ type: 'tool.requested', data: { permission: 'ask' } });
      expect(d.state.status).toBe('waiting_for_approval');
      expect(d.state.pendingCalls[0]).toMatchObject({ status: 'awaiting_approval' });
      expect(nextAction(d.state)).toMatchObject({
        kind: 'request_approval',
        call: { callId: 'call_1_0' },
      });
      expect(() => d.do(startTool('call_1_0'))).toThrow(IllegalStateError);
    });

    it('asks a human once, with a deterministic approval id and an expiry', () => {
      const d = deskRun();
      d.do(call('issue_refund', { orderId: '1042', amount: 20 }));
      const [requested] = d.do({ type: 'RequestApproval', callId: 'call_1_0' });
      expect(requested).toEqual({
        type: 'approval.requested',
        data: {
          approvalId: 'apr_01JTEST0000000000000000000_call_1_0',
          callId: 'call_1_0',
          tool: 'issue_refund',
          tier: 2,
          args: { orderId: '1042', amount: 20 },
          requestedBy: 'u_88',
          expiresAt: new Date(Date.parse(ctx.now) + APPROVAL_TTL_MS).toISOString(),
          quorum: 1,
          risk: 'high',
          onExpiry: 'deny',
          context: { agent: 'test-agent', step: 1, input: 'Where is order 1042?' },
        },
      });
      expect(nextAction(d.state)).toEqual({ kind: 'wait', reason: 'approval' });
      expect(() => d.do({ type: 'RequestApproval', callId: 'call_1_0' })).toThrow(
        IllegalStateError,
      );
    });

    it('runs the call once granted', () => {
      const d = deskRun();
      d.do(call('draft_refund_note', { orderId: '2042', note: 'x' }));
      d.do({ type: 'RequestApproval', callId: 'call_1_0' });
      d.record({
        type: 'approval.granted',
        data: {
          approvalId: 'apr_01JTEST0000000000000000000_call_1_0',
          callId: 'call_1_0',
          approverId: 'u_12',
        },
      });
      expect(nextAction(d.state)).toMatchObject({ kind: 'execute_tool' });
      expect(d.do(startTool('call_1_0'))[0]?.type).toBe('tool.started');
    });

    it('refuses an approval request for a call that needs none', () => {
      const d = deskRun();
      d.do(call('lookup_order', { orderId: '1' }));
      expect(() => d.do({ type: 'RequestApproval', callId: 'call_1_0' })).toThrow(
        IllegalStateError,
      );
    });
  });
});

describe('DenyToolCall', () => {
  it('denies a requested call that has not started', () => {
    const d = deskRun();
    d.do(call('lookup_order', { orderId: '1' }));
    const events = d.do({
      type: 'DenyToolCall',
      callId: 'call_1_0',
      reason: 'args_unavailable',
      message: 'ask again',
    });
    expect(events).toEqual([
      {
        type: 'tool.denied',
        data: {
          callId: 'call_1_0',
          tool: 'lookup_order',
          reason: 'args_unavailable',
          message: 'ask again',
        },
      },
    ]);
    expect(d.state.pendingCalls).toEqual([]);
  });

  it('refuses a call that already started, and a reason that is not a code', () => {
    const d = deskRun();
    d.do(call('lookup_order', { orderId: '1' }));
    expect(() =>
      d.do({ type: 'DenyToolCall', callId: 'call_1_0', reason: 'Bad Reason', message: 'x' }),
    ).toThrow(ValidationError);
    d.do(startTool('call_1_0'));
    expect(() =>
      d.do({ type: 'DenyToolCall', callId: 'call_1_0', reason: 'args_unavailable', message: 'x' }),
    ).toThrow(IllegalStateError);
  });
});

describe('a call of unknown outcome', () => {
  function unknownOutcome() {
    const d = deskRun();
    d.do(call('draft_refund_note', { orderId: '1042', note: 'x' }));
    d.do(startTool('call_1_0'));
    d.do({
      type: 'FailToolCall',
      callId: 'call_1_0',
      reason: 'unknown_outcome',
      error: 'the worker stopped',
      retryable: false,
    });
    return d;
  }

  it('makes escalation the next action, before any other work', () => {
    const d = unknownOutcome();
    expect(d.state.unresolved).toEqual({ callId: 'call_1_0', tool: 'draft_refund_note' });
    expect(nextAction(d.state)).toEqual({
      kind: 'escalate',
      reason: 'unknown_outcome',
      callId: 'call_1_0',
      tool: 'draft_refund_note',
    });
  });

  it('escalates to a human with what they need, then ends the run', () => {
    const d = unknownOutcome();
    const events = d.do({ type: 'Escalate' });
    expect(events).toEqual([
      {
        type: 'run.escalated',
        data: {
          reason: 'unknown_outcome',
          message: expect.stringContaining('run_01JTEST0000000000000000000:call_1_0'),
          callId: 'call_1_0',
          context: {
            tool: 'draft_refund_note',
            idempotencyKey: 'run_01JTEST0000000000000000000:call_1_0',
            userId: 'u_88',
            step: 1,
          },
        },
      },
      {
        type: 'run.failed',
        data: expect.objectContaining({ outcome: 'partial', reason: 'unknown_outcome' }),
      },
    ]);
    expect(d.state).toMatchObject({ status: 'failed', escalated: true });
    expect(nextAction(d.state)).toEqual({ kind: 'finished' });
  });

  it('only ends the run when the escalation is already recorded', () => {
    const d = unknownOutcome();
    const [escalated] = d.do({ type: 'Escalate' }).slice(0, 1);
    const replay = startedDriver({}, desk);
    replay.record(...d.entries.slice(1, -1));
    expect(replay.entries.at(-1)).toEqual(escalated);
    expect(replay.do({ type: 'Escalate' }).map((e) => e.type)).toEqual(['run.failed']);
  });

  it('refuses to escalate a run with nothing unresolved', () => {
    expect(() => deskRun().do({ type: 'Escalate' })).toThrow(IllegalStateError);
  });

  it('does not escalate for an ordinary tool failure', () => {
    const d = deskRun();
    d.do(call('lookup_order', { orderId: '1' }));
    d.do(startTool('call_1_0'));
    d.do({
      type: 'FailToolCall',
      callId: 'call_1_0',
      reason: 'tool_error',
      error: '503',
      retryable: false,
    });
    expect(nextAction(d.state)).toMatchObject({ kind: 'call_model' });
  });
});

describe('caps', () => {
  const capped = aRelease({
    tools: [{ name: 'issue_refund', tier: 2, caps: { amount: 500 } }],
  });

  it.each([
    [{ amount: 500 }, 'tool.requested'],
    [{ amount: 500.01 }, 'tool.denied'],
    [{ amount: '900' }, 'tool.denied'],
    [{ amount: 'NaN' }, 'tool.denied'],
    [{}, 'tool.requested'],
  ])('with %j decides %s before anyone is asked', (args, type) => {
    const d = startedDriver({}, capped);
    d.do(requestModel);
    const events = d.do(call('issue_refund', args));
    expect(events[1]?.type).toBe(type);
    if (type === 'tool.denied') {
      expect(events[1]?.data).toMatchObject({
        reason: 'cap_exceeded',
        message: expect.stringContaining('above the cap of 500'),
      });
    }
  });
});

describe('redaction of proposed arguments', () => {
  it('keeps secrets and personal data out of the log, and marks the call', () => {
    const d = deskRun();
    const events = d.do(
      call('lookup_order', {
        orderId: '1042',
        email: 'jane.doe@example.com',
        apiKey: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789',
      }),
    );
    const logged = JSON.stringify(events);
    expect(logged).not.toContain('jane.doe@example.com');
    expect(logged).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789');
    expect(events[1]).toMatchObject({
      type: 'tool.requested',
      data: { args: { orderId: '1042', email: '[REDACTED:email]' }, redacted: true },
    });
    expect(d.state.pendingCalls[0]?.redacted).toBe(true);
  });

  it('leaves harmless arguments alone and unmarked', () => {
    const events = deskRun().do(call('lookup_order', { orderId: '1042' }));
    expect(events[1]?.data).not.toHaveProperty('redacted');
    expect(events[1]).toMatchObject({ data: { args: { orderId: '1042' } } });
  });
});

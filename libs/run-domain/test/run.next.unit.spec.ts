import { IllegalStateError } from '@tether/errors';
import { aRunLog } from '@tether/testing';
import { fold, initialState, nextAction } from '../src';
import {
  callTools,
  completeTool,
  requestModel,
  respond,
  startTool,
  started,
  startedDriver,
} from './run.fixtures';

describe('nextAction', () => {
  it('throws for a run that has not started: only StartRun applies to it', () => {
    expect(() => nextAction(initialState())).toThrow(IllegalStateError);
    expect(() => nextAction({ ...initialState(), status: 'queued' })).toThrow(/has not started/);
  });

  it('calls the model for turn 1, attempt 1, right after the start', () => {
    expect(nextAction(fold(aRunLog(started())))).toEqual({
      kind: 'call_model',
      step: 1,
      attempt: 1,
    });
  });

  it('calls the model again, as a new attempt, while a request has no answer', () => {
    const d = startedDriver();
    d.do(requestModel);
    expect(nextAction(d.state)).toEqual({ kind: 'call_model', step: 1, attempt: 2 });
    d.do({ type: 'RecordModelFailure', model: 'm', error: 'x', retryable: true, maxAttempts: 5 });
    expect(nextAction(d.state)).toEqual({ kind: 'call_model', step: 1, attempt: 2 });
  });

  it('executes the first requested call, then waits for it, then calls the model for the next turn', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(callTools('lookup_order', 'noop'));
    expect(nextAction(d.state)).toEqual({
      kind: 'execute_tool',
      call: expect.objectContaining({ callId: 'call_1_0', status: 'requested' }),
    });
    d.do(startTool('call_1_0'));
    expect(nextAction(d.state)).toEqual({
      kind: 'execute_tool',
      call: expect.objectContaining({ callId: 'call_1_1' }),
    });
    d.do(startTool('call_1_1'));
    expect(nextAction(d.state)).toEqual({ kind: 'wait', reason: 'tool' });
    d.do(completeTool('call_1_0'));
    expect(nextAction(d.state)).toEqual({ kind: 'wait', reason: 'tool' });
    d.do(completeTool('call_1_1'));
    expect(nextAction(d.state)).toEqual({ kind: 'call_model', step: 2, attempt: 1 });
  });

  it('hands out the pending call as the state holds it', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(callTools('lookup_order'));
    const state = d.state;
    const next = nextAction(state);
    expect(next.kind === 'execute_tool' && next.call).toBe(state.pendingCalls[0]);
    expect(state.pendingCalls[0]).toEqual({
      callId: 'call_1_0',
      tool: 'lookup_order',
      tier: 0,
      args: { n: 0 },
      step: 1,
      status: 'requested',
      attempt: 0,
    });
  });

  it('waits for approval when only a parked call remains, and executes it once granted', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(callTools('issue_refund'));
    expect(nextAction(d.state)).toMatchObject({
      kind: 'request_approval',
      call: { callId: 'call_1_0' },
    });
    d.do({ type: 'RequestApproval', callId: 'call_1_0' });
    expect(nextAction(d.state)).toEqual({ kind: 'wait', reason: 'approval' });
    d.record({
      type: 'approval.granted',
      data: { approvalId: 'apr_1', callId: 'call_1_0', approverId: 'u_12' },
    });
    expect(nextAction(d.state)).toMatchObject({
      kind: 'execute_tool',
      call: { callId: 'call_1_0', tool: 'issue_refund' },
    });
  });

  it('prefers a call it can run, then a running call, over a parked one', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(callTools('issue_refund', 'noop'));
    d.do({ type: 'RequestApproval', callId: 'call_1_0' });
    expect(nextAction(d.state)).toMatchObject({
      kind: 'execute_tool',
      call: { callId: 'call_1_1' },
    });
    d.do(startTool('call_1_1'));
    expect(nextAction(d.state)).toEqual({ kind: 'wait', reason: 'tool' });
  });

  it.each([
    ['completed', respond({ text: 'done' })],
    ['cancelled', { type: 'CancelRun', requestedBy: 'op' } as const],
    [
      'failed',
      {
        type: 'RecordModelFailure',
        model: 'm',
        error: 'x',
        retryable: false,
        maxAttempts: 1,
      } as const,
    ],
  ])('is finished once the run is %s', (status, command) => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(command);
    expect(d.state.status).toBe(status);
    expect(nextAction(d.state)).toEqual({ kind: 'finished' });
  });

  it('is finished for a rejected or aborted run, even with calls still pending', () => {
    const rejected = fold(
      aRunLog([
        {
          type: 'run.rejected',
          data: { outcome: 'failed', reason: 'unknown_agent', message: 'no' },
        },
      ]),
    );
    expect(nextAction(rejected)).toEqual({ kind: 'finished' });
    const d = startedDriver();
    d.do(requestModel);
    d.do(callTools('lookup_order'));
    d.record({
      type: 'run.aborted',
      data: { outcome: 'aborted', reason: 'timeout', message: 'late' },
    });
    expect(d.state.pendingCalls).toHaveLength(1);
    expect(nextAction(d.state)).toEqual({ kind: 'finished' });
  });
});

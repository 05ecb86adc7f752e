import { requestModel, respond, startedDriver } from './run.fixtures';
import type { RunCommand } from '../src';

const withProblems = (args: Record<string, unknown>, problems?: string[]): RunCommand => ({
  ...(respond({ toolCalls: [{ name: 'lookup_order', args }] }) as Extract<
    RunCommand,
    { type: 'RecordModelResponse' }
  >),
  ...(problems && { argProblems: { 0: problems } }),
});

describe('malformed tool arguments', () => {
  it('denies the call with the problems and gives the model a repair turn', () => {
    const d = startedDriver();
    d.do(requestModel);
    const decided = d.do(
      withProblems({ order: 1042 }, ["arguments must have required property 'orderId'"]),
    );
    expect(decided.map((e) => e.type)).toEqual(['model.responded', 'tool.denied']);
    expect(decided[1].data).toMatchObject({
      reason: 'invalid_arguments',
      message: expect.stringContaining("required property 'orderId'"),
    });
    expect(d.state).toMatchObject({ status: 'running', repairing: true });
    expect(d.state.transcript.at(-1)).toMatchObject({ role: 'tool', isError: true });
  });

  it('runs the repaired call', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(withProblems({ order: 1042 }, ['bad']));
    d.do(requestModel);
    const decided = d.do(withProblems({ orderId: '1042' }));
    expect(decided.map((e) => e.type)).toEqual(['model.responded', 'tool.requested']);
    expect(d.state.repairing).toBe(false);
  });

  it('fails the run with malformed_output when the repair is malformed too', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(withProblems({ order: 1042 }, ['bad']));
    d.do(requestModel);
    const decided = d.do(withProblems({ order: 'x' }, ['still bad']));
    expect(decided.map((e) => e.type)).toEqual(['model.responded', 'run.failed']);
    expect(decided[1].data).toMatchObject({
      outcome: 'failed',
      reason: 'malformed_output',
      detail: 'still bad',
    });
  });

  it('gives a fresh repair turn to a later, unrelated mistake', () => {
    const d = startedDriver();
    d.do(requestModel);
    d.do(withProblems({ order: 1 }, ['bad']));
    d.do(requestModel);
    d.do(
      respond({ text: undefined, toolCalls: [{ name: 'lookup_order', args: { orderId: '1' } }] }),
    );
    d.do({
      type: 'StartToolCall',
      callId: 'call_2_0',
      deadline: '2030-01-01T00:00:00.000Z',
      dryRun: false,
    });
    d.do({ type: 'CompleteToolCall', callId: 'call_2_0', result: {}, latencyMs: 1, dryRun: false });
    d.do(requestModel);
    expect(d.do(withProblems({ order: 2 }, ['bad again'])).map((e) => e.type)).toEqual([
      'model.responded',
      'tool.denied',
    ]);
  });
});

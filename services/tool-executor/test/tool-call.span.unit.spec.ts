import { anEvent, aToolCompleted, aToolStarted } from '@tether/testing';
import {
  toolCallAttributes,
  toolSpanName,
  toolSpanOutcome,
} from '../src/application/tool-call.span';

describe('the span of a tool call', () => {
  it('is named and described by the GenAI conventions before the call runs', () => {
    const req = {
      tool: 'issue_refund',
      callId: 'call_2_0',
      tier: 2 as const,
      runId: 'run_7',
      tenantId: 'acme',
      mode: 'live' as const,
    };
    expect(toolSpanName(req)).toBe('execute_tool issue_refund');
    expect(toolCallAttributes(req)).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'issue_refund',
      'gen_ai.tool.call.id': 'call_2_0',
      'tether.tool.tier': 2,
      'tether.run.id': 'run_7',
      'tether.tenant.id': 'acme',
      'tether.run.mode': 'live',
    });
  });

  describe('outcome', () => {
    const started = anEvent('tool.started', aToolStarted('call_1_0'), { seq: 5 });
    const timedOut = (error: string, seq: number) =>
      anEvent(
        'tool.failed',
        { callId: 'call_1_0', tool: 'lookup_order', reason: 'timeout', error, retryable: true },
        { seq },
      );

    it('is completed, with its guardrail verdict, and no error', () => {
      const completed = anEvent(
        'tool.completed',
        aToolCompleted('call_1_0', { guardrail: { action: 'flag', rules: ['injection'] } }),
        { seq: 6 },
      );
      expect(toolSpanOutcome([started, completed], 'call_1_0')).toEqual({
        attributes: {
          'tether.tool.outcome': 'completed',
          'tether.tool.dry_run': false,
          'tether.tool.guardrail': 'flag',
        },
      });
    });

    it('is failed, an error classed by its reason code', () => {
      expect(toolSpanOutcome([started, timedOut('no answer in 30 s', 6)], 'call_1_0')).toEqual({
        attributes: { 'tether.tool.outcome': 'failed', 'tether.tool.reason': 'timeout' },
        error: { type: 'timeout', message: 'no answer in 30 s' },
      });
    });

    it('is denied without being an error: the gate did its job', () => {
      const denied = anEvent(
        'tool.denied',
        {
          callId: 'call_1_0',
          tool: 'lookup_order',
          reason: 'kill_switch',
          message: 'switched off',
        },
        { seq: 5 },
      );
      expect(toolSpanOutcome([denied], 'call_1_0')).toEqual({
        attributes: { 'tether.tool.outcome': 'denied', 'tether.tool.reason': 'kill_switch' },
      });
    });

    it("reads only this call's end, and the last one when a call ran again", () => {
      const other = anEvent('tool.completed', aToolCompleted('call_1_1'), { seq: 7 });
      const completed = anEvent('tool.completed', aToolCompleted('call_1_0'), { seq: 8 });
      expect(
        toolSpanOutcome([started, timedOut('slow', 6), other, completed], 'call_1_0').attributes,
      ).toMatchObject({ 'tether.tool.outcome': 'completed' });
      expect(toolSpanOutcome([started, other], 'call_1_0')).toEqual({
        attributes: { 'tether.tool.outcome': 'none' },
      });
    });
  });
});

import type { BudgetDecision } from '@tether/contracts';
import { IllegalStateError } from '@tether/errors';
import type { InputClassification } from '@tether/guardrails';
import { decide, initialState, isActive, type RunCommand } from '../src';
import {
  completeTool,
  requestModel,
  respond,
  callTools,
  ctx,
  startCommand,
  startTool,
  startedDriver,
} from './run.fixtures';

const modelCall = (budget: BudgetDecision): RunCommand => ({
  type: 'RequestModel',
  provider: 'scripted',
  model: 'scripted-v1',
  budget,
});

const granted = (overrides: Partial<Extract<BudgetDecision, { granted: true }>> = {}) =>
  ({
    granted: true,
    reservationId: 'res_run_m1_1',
    amountUsd: 0.0123,
    priceVersion: 'v7',
    warnings: [],
    replayed: false,
    ...overrides,
  }) as BudgetDecision;

const refused = (cap: string, reason: 'cap_reached' | 'unpriced' = 'cap_reached') =>
  ({
    granted: false,
    reservationId: 'res_run_m1_1',
    refusal: { cap, period: '2026-11-21', limitUsd: 5, spentUsd: 4.99, requestedUsd: 0.02, reason },
    replayed: false,
  }) as BudgetDecision;

describe('decide: budgets', () => {
  describe('RequestModel with a granted reservation', () => {
    it('records the hold before the model is asked', () => {
      const d = startedDriver();
      const events = d.do(modelCall(granted()));
      expect(events.map((e) => e.type)).toEqual(['budget.reserved', 'model.requested']);
      expect(events[0]!.data).toEqual({
        reservationId: 'res_run_m1_1',
        amountUsd: 0.0123,
        kind: 'model',
        item: 'scripted:scripted-v1',
        priceVersion: 'v7',
      });
    });

    it('puts each new warning before the hold', () => {
      const d = startedDriver();
      const warning = {
        cap: 'user_daily',
        period: '2026-11-21',
        spentUsd: 8.1,
        limitUsd: 10,
        share: 0.81,
      } as const;
      const events = d.do(modelCall(granted({ warnings: [warning] })));
      expect(events.map((e) => e.type)).toEqual([
        'budget.warning',
        'budget.reserved',
        'model.requested',
      ]);
      expect(events[0]!.data).toEqual(warning);
    });

    it('settles the hold with the answer: model.responded names the reservation', () => {
      const d = startedDriver();
      d.do(modelCall(granted()));
      const [responded] = d.do(respond({ costUsd: 0.004 }));
      expect(responded!.data).toMatchObject({ costUsd: 0.004, reservationId: 'res_run_m1_1' });
      expect(d.state.modelReservation).toBeUndefined();
      expect(d.state.lastModelCharge).toEqual({
        reservationId: 'res_run_m1_1',
        costUsd: 0.004,
        at: d.log.find((e) => e.type === 'model.responded')!.time,
      });
    });

    it('releases it with a failure: model.failed names the reservation', () => {
      const d = startedDriver();
      d.do(modelCall(granted()));
      const [failed] = d.do({
        type: 'RecordModelFailure',
        model: 'scripted-v1',
        error: 'HTTP 500',
        retryable: true,
        maxAttempts: 3,
      });
      expect(failed).toMatchObject({
        type: 'model.failed',
        data: { reservationId: 'res_run_m1_1' },
      });
    });

    it('names no reservation on a turn that needed none', () => {
      const d = startedDriver();
      d.do(modelCall(granted()));
      d.do(callTools('lookup_order'));
      d.do(startTool('call_1_0'));
      d.do(completeTool('call_1_0'));
      d.do(requestModel);
      const [responded] = d.do(respond());
      expect(responded!.data).not.toHaveProperty('reservationId');
    });
  });

  describe('RequestModel with a refused reservation', () => {
    it('ends the run with reason budget, naming the cap, and never asks the model', () => {
      const d = startedDriver();
      const events = d.do(modelCall(refused('user_daily')));
      expect(events.map((e) => e.type)).toEqual(['budget.exceeded', 'run.aborted']);
      expect(events[0]!.data).toEqual({
        cap: 'user_daily',
        limitUsd: 5,
        requestedUsd: 0.02,
        period: '2026-11-21',
        spentUsd: 4.99,
        reason: 'cap_reached',
      });
      expect(events[1]!.data).toMatchObject({
        outcome: 'aborted',
        reason: 'budget',
        limit: 'user_daily',
        limitValue: 5,
      });
      expect((events[1]!.data as { message: string }).message).toMatch(/daily spending limit/);
      expect(isActive(d.state)).toBe(false);
    });

    it.each([
      ['run', /spending limit for this request/],
      ['user_monthly', /monthly spending limit/],
      ['tenant_daily', /organisation has reached its spending limit/],
      ['global_monthly', /organisation has reached its spending limit/],
    ])('tells the end user which allowance ran out (%s) without amounts', (cap, message) => {
      const [, aborted] = startedDriver().do(modelCall(refused(cap)));
      const text = (aborted!.data as { message: string }).message;
      expect(text).toMatch(message);
      expect(text).not.toMatch(/\d\.\d/);
    });

    it('says an unpriced model cannot run under a cap, with 0 requested', () => {
      const budget = refused('tenant_monthly', 'unpriced');
      if (!budget.granted) delete budget.refusal.requestedUsd;
      const [exceeded, aborted] = startedDriver().do(modelCall(budget));
      expect(exceeded!.data).toMatchObject({ requestedUsd: 0, reason: 'unpriced' });
      expect((aborted!.data as { message: string }).message).toMatch(
        /cannot run within a spending limit/,
      );
    });
  });

  describe('ReserveToolCall', () => {
    const toolHold = granted({ reservationId: 'res_run_call_1_0', amountUsd: 0.03 });

    it('holds the price on the call, and the hold is remembered until it completes', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      const [reserved] = d.do({ type: 'ReserveToolCall', callId: 'call_1_0', budget: toolHold });
      expect(reserved).toEqual({
        type: 'budget.reserved',
        data: {
          reservationId: 'res_run_call_1_0',
          amountUsd: 0.03,
          kind: 'tool',
          item: 'lookup_order',
          priceVersion: 'v7',
          callId: 'call_1_0',
        },
      });
      expect(d.state.pendingCalls[0]!.reservation).toEqual({
        id: 'res_run_call_1_0',
        amountUsd: 0.03,
      });
    });

    it('carries the cost on tool.completed, and nothing for a dry run', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do({ type: 'ReserveToolCall', callId: 'call_1_0', budget: toolHold });
      d.do(startTool('call_1_0'));
      const [completed] = d.do(completeTool('call_1_0'));
      expect(completed!.data).toMatchObject({ costUsd: 0.03, reservationId: 'res_run_call_1_0' });

      const dry = startedDriver();
      dry.do(requestModel);
      dry.do(callTools('lookup_order'));
      dry.do({ type: 'ReserveToolCall', callId: 'call_1_0', budget: toolHold });
      dry.do(startTool('call_1_0', true));
      const [dryDone] = dry.do({ ...completeTool('call_1_0'), dryRun: true } as never);
      expect(dryDone!.data).toMatchObject({ costUsd: 0, reservationId: 'res_run_call_1_0' });
    });

    it('ends the run when the tool cannot be paid for', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      const events = d.do({ type: 'ReserveToolCall', callId: 'call_1_0', budget: refused('run') });
      expect(events.map((e) => e.type)).toEqual(['budget.exceeded', 'run.aborted']);
      expect(d.state.status).toBe('aborted');
    });

    it('refuses a second hold for the same call, and one for an unknown call', () => {
      const d = startedDriver();
      d.do(requestModel);
      d.do(callTools('lookup_order'));
      d.do({ type: 'ReserveToolCall', callId: 'call_1_0', budget: toolHold });
      expect(() => d.do({ type: 'ReserveToolCall', callId: 'call_1_0', budget: toolHold })).toThrow(
        IllegalStateError,
      );
      expect(() => d.do({ type: 'ReserveToolCall', callId: 'call_9_9', budget: toolHold })).toThrow(
        IllegalStateError,
      );
    });
  });

  describe('StartRun with a paid classifier verdict', () => {
    const withVerdict = (classification: InputClassification): RunCommand => ({
      ...(startCommand() as Extract<RunCommand, { type: 'StartRun' }>),
      classification,
    });

    it('records what the classifier cost, and its hold, on run.started', () => {
      const [started] = decide(
        withVerdict({ model: 'guard-1', score: 0.1, costUsd: 0.002, reservationId: 'res_r_c' }),
        initialState(),
        ctx,
      );
      expect(started).toMatchObject({
        type: 'run.started',
        data: { classifier: { model: 'guard-1', costUsd: 0.002, reservationId: 'res_r_c' } },
      });
    });

    it('records a failed call that held money at 0, and nothing for one that held none', () => {
      const [held] = decide(
        withVerdict({ model: 'guard-1', error: 'timeout', costUsd: 0, reservationId: 'res_r_c' }),
        initialState(),
        ctx,
      );
      expect(held!.data).toMatchObject({ classifier: { costUsd: 0, reservationId: 'res_r_c' } });
      const [free] = decide(withVerdict({ model: 'guard-1', score: 0.1 }), initialState(), ctx);
      expect(free!.data).not.toHaveProperty('classifier');
    });
  });
});

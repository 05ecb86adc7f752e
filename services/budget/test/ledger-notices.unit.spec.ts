import { NoticeAudience, noticeAudiences, type TetherEvent } from '@tether/contracts';
import {
  aModelResponded,
  aRunStarted,
  aToolCompleted,
  aToolStarted,
  anEvent,
} from '@tether/testing';
import { ledgerOpsOf } from '../src/domain/ledger.ops';

const CANCELLED = {
  outcome: 'aborted',
  reason: 'user',
  message: 'stopped',
  requestedBy: 'u1',
} as const;

/** Every shape of event the ledger could care about, with and without money on it. */
const EVENTS: TetherEvent[] = [
  anEvent('run.started', aRunStarted()),
  anEvent('model.responded', aModelResponded(1)),
  anEvent('model.responded', aModelResponded(1, { costUsd: 0.02 })),
  anEvent('model.responded', aModelResponded(1, { reservationId: 'res_r_m1_1' })),
  anEvent('model.failed', { step: 1, attempt: 1, model: 'm', error: 'HTTP 500', retryable: true }),
  anEvent('model.failed', {
    step: 1,
    attempt: 1,
    model: 'm',
    error: 'HTTP 500',
    retryable: true,
    reservationId: 'res_r_m1_1',
  }),
  anEvent('tool.started', aToolStarted('c1')),
  anEvent('tool.completed', aToolCompleted('c1')),
  anEvent('tool.completed', aToolCompleted('c1', { costUsd: 0.01 })),
  anEvent('tool.completed', aToolCompleted('c1', { reservationId: 'res_r_c1' })),
  anEvent('tool.failed', {
    callId: 'c1',
    tool: 't',
    reason: 'error',
    error: 'boom',
    retryable: false,
  }),
  anEvent('tool.denied', { callId: 'c1', tool: 't', reason: 'permission', message: 'no' }),
  anEvent('run.completed', {
    outcome: 'success',
    reason: 'answered',
    message: 'ok',
    output: 'done',
  }),
  anEvent('run.rejected', { outcome: 'failed', reason: 'invalid_command', message: 'no' }),
  anEvent('run.cancelled', CANCELLED),
] as TetherEvent[];

describe('the budget ledger notices', () => {
  it.each(EVENTS.map((e) => [e.type, e] as const))(
    '%s reaches the ledger exactly when the ledger acts on it',
    (_type, event) => {
      const { runs, ops } = ledgerOpsOf([event]);
      const acts = runs.length + ops.length > 0;
      expect(noticeAudiences(event).includes(NoticeAudience.Budget)).toBe(acts);
    },
  );

  it('sends the ledger none of the events of an unpaid call', () => {
    const unpaid = EVENTS.filter((e) => noticeAudiences(e).length === 0).map((e) => e.type);
    expect(unpaid).toEqual(['model.responded', 'model.failed', 'tool.started', 'tool.completed']);
  });
});

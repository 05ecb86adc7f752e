import { ReasonCode } from '@tether/contracts';
import { IllegalStateError } from '@tether/errors';
import { assertNever, type PendingCall, type RunState } from './run.state';

/** What the orchestrator should do next for a run. */
export type NextAction =
  | { kind: 'call_model'; step: number; attempt: number }
  | { kind: 'execute_tool'; call: PendingCall }
  /** A call needs a human and its `approval.requested` is not in the log yet. */
  | { kind: 'request_approval'; call: PendingCall }
  /** A call's outcome is unknown, or an expired approval escalates: hand the run to a human and stop. */
  | { kind: 'escalate'; reason: string; callId: string; tool: string }
  | { kind: 'wait'; reason: 'approval' | 'tool' }
  | { kind: 'finished' };

/**
 * The next step of a run, from its state alone.
 *
 * Order: a finished run is `finished`; a run with a call of unknown outcome is `escalate`d;
 * then a call that needs a human but has no approval request yet; then the first call ready to
 * run; then a call already running (`wait tool`); then a call parked for a human (`wait
 * approval`); otherwise another model turn. A run that has not started (`new`/`queued`) has no next action: asking is a caller bug
 * (only `StartRun` applies), so it throws `IllegalStateError` rather than inventing a kind.
 *
 * After a `model.requested` with no answer (a worker died mid-call) this still says `call_model`,
 * with the next attempt number: model calls are retried as new attempts.
 */
export function nextAction(state: RunState): NextAction {
  switch (state.status) {
    case 'completed':
    case 'failed':
    case 'aborted':
    case 'cancelled':
    case 'rejected':
      return { kind: 'finished' };
    case 'new':
    case 'queued':
      throw new IllegalStateError(
        `run ${state.runId ?? '(unstarted)'} has not started; the only command it accepts is StartRun`,
      );
    case 'running':
    case 'waiting_for_tool':
    case 'waiting_for_approval':
      if (state.unresolved) {
        return { kind: 'escalate', reason: ReasonCode.UnknownOutcome, ...state.unresolved };
      }
      if (state.handover) return { kind: 'escalate', ...state.handover };
      return activeNext(state.pendingCalls, state.step, state.modelAttempt);
    default:
      return assertNever(state);
  }
}

function activeNext(pending: PendingCall[], step: number, modelAttempt: number): NextAction {
  let started = false;
  let awaiting = false;
  for (let i = 0; i < pending.length; i++) {
    const call = pending[i] as PendingCall;
    if (call.status === 'awaiting_approval' && call.approvalId === undefined) {
      return { kind: 'request_approval', call };
    }
  }
  for (let i = 0; i < pending.length; i++) {
    const call = pending[i] as PendingCall;
    switch (call.status) {
      case 'requested':
        return { kind: 'execute_tool', call };
      case 'started':
        started = true;
        break;
      case 'awaiting_approval':
        awaiting = true;
        break;
      default:
        assertNever(call.status);
    }
  }
  if (started) return { kind: 'wait', reason: 'tool' };
  if (awaiting) return { kind: 'wait', reason: 'approval' };
  return { kind: 'call_model', step: step + 1, attempt: modelAttempt + 1 };
}

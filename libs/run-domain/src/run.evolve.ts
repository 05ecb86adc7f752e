import type { TetherEvent } from '@tether/contracts';
import { ReasonCode } from '@tether/contracts';
import { callSignature } from './loop.policy';
import { Messages } from './run.messages';
import {
  assertNever,
  isTerminalStatus,
  type PendingCall,
  type RunFields,
  type RunState,
  type RunStatus,
  initialState,
} from './run.state';
import type { TranscriptEntry } from './transcript';

/**
 * A state this module owns while folding. `evolve` and `fold` copy the caller's state (and its two
 * arrays) once, apply events to the copy in place, and hand it out; after that nothing here touches
 * it again. So both stay pure from the outside while a fold allocates almost nothing per event.
 * Objects inside the arrays and anything taken from event data are shared, never mutated: a
 * pending call that changes is replaced by a new object.
 */
type Draft = RunFields & { status: RunStatus };

function draftOf(state: RunState): Draft {
  return {
    ...state,
    transcript: state.transcript.slice(),
    pendingCalls: state.pendingCalls.slice(),
    callHistory: state.callHistory.slice(),
  };
}

/** The state after one more event. Never mutates `state` or `event`. */
export function evolve(state: RunState, event: TetherEvent): RunState {
  const draft = draftOf(state);
  apply(draft, event);
  trackApprovalWait(draft, event.time);
  return draft as RunState;
}

/** Folds events, in log order, onto `state` (default: the initial state). Never mutates its inputs. */
export function fold(events: Iterable<TetherEvent>, state?: RunState): RunState {
  const draft = state ? draftOf(state) : (initialState() as Draft);
  if (Array.isArray(events)) {
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as TetherEvent;
      apply(draft, event);
      trackApprovalWait(draft, event.time);
    }
  } else {
    for (const event of events) {
      apply(draft, event);
      trackApprovalWait(draft, event.time);
    }
  }
  return draft as RunState;
}

/** Opens a waiting period when the run parks for a human, closes it when the run moves on or ends. */
function trackApprovalWait(d: Draft, time: string): void {
  if (d.status === 'waiting_for_approval') {
    if (d.waitingSince === undefined) d.waitingSince = time;
  } else if (d.waitingSince !== undefined) {
    const waited = Date.parse(time) - Date.parse(d.waitingSince);
    if (waited > 0) d.approvalWaitMs += waited;
    d.waitingSince = undefined;
  }
}

/** Status of a started, unfinished run, from its pending calls. */
function activeStatus(pending: PendingCall[]): RunStatus {
  if (pending.length === 0) return 'running';
  // A call that can progress (to run or running) wins over one parked for a human.
  for (let i = 0; i < pending.length; i++) {
    if ((pending[i] as PendingCall).status !== 'awaiting_approval') return 'waiting_for_tool';
  }
  return 'waiting_for_approval';
}

function settle(d: Draft): void {
  // Terminal is final: a late tool result still lands in the transcript but never revives the run.
  if (!isTerminalStatus(d.status) && d.status !== 'new' && d.status !== 'queued') {
    d.status = activeStatus(d.pendingCalls);
  }
}

function indexOfCall(d: Draft, callId: string): number {
  const pending = d.pendingCalls;
  for (let i = 0; i < pending.length; i++)
    if ((pending[i] as PendingCall).callId === callId) return i;
  return -1;
}

function updateCall(d: Draft, callId: string, change: Partial<PendingCall>): void {
  const i = indexOfCall(d, callId);
  if (i >= 0) d.pendingCalls[i] = { ...(d.pendingCalls[i] as PendingCall), ...change };
}

function removeCall(d: Draft, callId: string): void {
  const i = indexOfCall(d, callId);
  if (i >= 0) d.pendingCalls.splice(i, 1);
}

const HOLD_STRENGTH = { refuse: 1, escalate: 2, block: 3 } as const;

/** The strongest input verdict wins: block, then escalate, then refuse; a flag holds nothing. */
function holdInput(d: Draft, action: string, ruleId: string): void {
  if (action !== 'block' && action !== 'escalate' && action !== 'refuse') return;
  const held = d.inputHeld;
  if (held === undefined) {
    d.inputHeld = { action, rules: [ruleId] };
    return;
  }
  const stronger = HOLD_STRENGTH[action] > HOLD_STRENGTH[held.action] ? action : held.action;
  d.inputHeld = { action: stronger, rules: [...held.rules, ruleId] };
}

/** What the model is told of a drafted call, as its result. */
export const DRAFTED =
  'Drafted for a person to carry out; the action was NOT performed. Tell the user it has been passed to a colleague.';

function toolError(d: Draft, callId: string, name: string, message: string): void {
  const entry: TranscriptEntry = { role: 'tool', callId, name, content: message, isError: true };
  d.transcript.push(entry);
}

function apply(d: Draft, event: TetherEvent): void {
  d.version += 1;
  d.lastEventId = event.id;
  switch (event.type) {
    case 'run.started': {
      const data = event.data;
      d.status = 'running';
      d.runId = event.runId;
      d.tenantId = event.tenantId;
      d.agent = data.agent;
      d.release = data.release;
      d.userId = data.userId;
      d.roles = data.roles;
      d.mode = data.mode;
      d.input = data.input;
      d.startedAt = event.time;
      d.model = data.model;
      d.limits = data.limits;
      if (data.metadata !== undefined) d.metadata = data.metadata;
      if (data.requestId !== undefined) d.requestId = data.requestId;
      d.transcript.push({ role: 'user', content: data.input });
      return;
    }
    case 'run.rejected': {
      const data = event.data;
      d.runId = event.runId;
      d.tenantId = event.tenantId;
      if (data.agent !== undefined && d.agent === undefined) d.agent = data.agent;
      if (data.requestId !== undefined && d.requestId === undefined) d.requestId = data.requestId;
      end(d, 'rejected', event.data);
      return;
    }
    case 'model.requested':
      d.modelAttempt = event.data.attempt;
      d.awaitingModel = true;
      return;
    case 'model.responded': {
      const data = event.data;
      d.step = data.step;
      d.modelAttempt = 0;
      d.modelReservation = undefined;
      if (data.reservationId !== undefined)
        d.lastModelCharge = {
          reservationId: data.reservationId,
          costUsd: data.costUsd,
          at: event.time,
        };
      d.repairing = false;
      d.awaitingModel = false;
      d.tokens += data.usage.inputTokens + data.usage.outputTokens;
      d.costUsd += data.costUsd;
      const entry: TranscriptEntry = { role: 'assistant' };
      if (data.text !== undefined) entry.content = data.text;
      if (data.toolCalls !== undefined && data.toolCalls.length > 0) {
        entry.toolCalls = data.toolCalls.map((c) => ({
          callId: c.callId,
          name: c.name,
          args: c.args,
        }));
      }
      d.transcript.push(entry);
      return;
    }
    case 'model.failed':
      d.awaitingModel = false;
      d.modelReservation = undefined;
      if (event.data.attempt > d.modelAttempt) d.modelAttempt = event.data.attempt;
      return;
    case 'tool.requested': {
      const data = event.data;
      d.toolCalls += 1;
      d.callHistory.push({ tool: data.tool, signature: callSignature(data.tool, data.args) });
      d.pendingCalls.push({
        callId: data.callId,
        tool: data.tool,
        tier: data.tier,
        args: data.args,
        step: data.step,
        // A call that needs a human (tier 2, or the matrix said ask) waits from the moment it is
        // requested, so no window exists before `approval.requested` in which it could run.
        // Autonomy 2 comes as `ask` too (see `callPolicy`).
        status: data.tier === 2 || data.permission === 'ask' ? 'awaiting_approval' : 'requested',
        attempt: 0,
        ...(data.redacted && { redacted: true }),
      });
      settle(d);
      return;
    }
    case 'tool.denied':
      if (event.data.reason === ReasonCode.InvalidArguments) d.repairing = true;
      removeCall(d, event.data.callId);
      toolError(d, event.data.callId, event.data.tool, event.data.message);
      settle(d);
      return;
    case 'tool.started':
      updateCall(d, event.data.callId, {
        status: 'started',
        attempt: event.data.attempt,
        startedSeq: d.version,
        deadline: event.data.deadline,
      });
      settle(d);
      return;
    case 'tool.completed': {
      const data = event.data;
      removeCall(d, data.callId);
      const guard = data.guardrail;
      if (guard === undefined || guard.action === 'flag') {
        d.transcript.push({
          role: 'tool',
          callId: data.callId,
          name: data.tool,
          content: data.result,
          isError: false,
          ...(guard && { flagged: true }),
        });
      } else {
        // The model never sees a result the rules hold back, whatever it says.
        d.transcript.push({
          role: 'tool',
          callId: data.callId,
          name: data.tool,
          content: Messages.resultWithheld(guard.rules.join(', ')),
          isError: true,
          withheld: true,
        });
        if (guard.action === 'escalate' && !d.handover) {
          d.handover = {
            reason: ReasonCode.PolicyAmbiguous,
            callId: data.callId,
            tool: data.tool,
            rules: guard.rules,
          };
        }
      }
      settle(d);
      return;
    }
    case 'tool.failed':
      // Only a call still pending can be unresolved: a late verdict on a finished call changes nothing.
      if (
        event.data.reason === ReasonCode.UnknownOutcome &&
        !d.unresolved &&
        indexOfCall(d, event.data.callId) >= 0
      ) {
        d.unresolved = { callId: event.data.callId, tool: event.data.tool };
      }
      removeCall(d, event.data.callId);
      toolError(d, event.data.callId, event.data.tool, event.data.error);
      settle(d);
      return;
    case 'approval.requested':
      updateCall(d, event.data.callId, {
        status: 'awaiting_approval',
        approvalId: event.data.approvalId,
      });
      settle(d);
      return;
    case 'approval.granted': {
      const i = indexOfCall(d, event.data.callId);
      const call = d.pendingCalls[i];
      // Only a call parked for approval can be released; a stray grant changes nothing.
      if (call !== undefined && call.status === 'awaiting_approval') {
        const args = event.data.editedArgs ?? call.args;
        d.pendingCalls[i] = {
          ...call,
          status: 'requested',
          args,
          approvalId: event.data.approvalId,
        };
      }
      settle(d);
      return;
    }
    case 'approval.denied': {
      const call = d.pendingCalls[indexOfCall(d, event.data.callId)];
      if (call === undefined) return;
      removeCall(d, call.callId);
      const why = event.data.reason ? `: ${event.data.reason}` : '.';
      toolError(d, call.callId, call.tool, `An approver denied this call${why}`);
      settle(d);
      return;
    }
    case 'approval.expired': {
      const call = d.pendingCalls[indexOfCall(d, event.data.callId)];
      if (call === undefined) return;
      removeCall(d, call.callId);
      if (event.data.action === 'escalate' && !d.handover) {
        d.handover = { reason: ReasonCode.ApprovalExpired, callId: call.callId, tool: call.tool };
      }
      toolError(
        d,
        call.callId,
        call.tool,
        'The approval request expired before anyone decided; the call was not made.',
      );
      settle(d);
      return;
    }
    case 'tool.drafted':
      removeCall(d, event.data.callId);
      d.transcript.push({
        role: 'tool',
        callId: event.data.callId,
        name: event.data.tool,
        content: DRAFTED,
        isError: false,
      });
      settle(d);
      return;
    case 'budget.reserved': {
      const { reservationId, amountUsd, callId } = event.data;
      if (callId === undefined) d.modelReservation = reservationId;
      else updateCall(d, callId, { reservation: { id: reservationId, amountUsd } });
      return;
    }
    // Recorded for budgets, guardrails, reviewers and operators; the run's own state does not change.
    case 'guardrail.triggered':
      if (event.data.stage === 'input') holdInput(d, event.data.action, event.data.ruleId);
      return;
    case 'review.requested':
    case 'budget.warning':
    case 'budget.exceeded':
      return;
    case 'run.escalated':
      d.escalated = true;
      return;
    case 'run.completed':
      if (end(d, 'completed', event.data)) d.output = event.data.output;
      return;
    case 'run.failed':
      end(d, 'failed', event.data);
      return;
    case 'run.aborted':
      end(d, 'aborted', event.data);
      return;
    case 'run.cancelled':
      end(d, 'cancelled', event.data);
      return;
    default:
      assertNever(event);
  }
}

/** Ends the run; false when it had already ended. */
function end(
  d: Draft,
  status: RunStatus,
  data: Pick<RunFields, 'outcome' | 'reason' | 'message'>,
): boolean {
  // The first terminal event decides how the run ended; later ones (a race lost elsewhere) don't.
  if (isTerminalStatus(d.status)) return false;
  d.status = status;
  d.outcome = data.outcome;
  d.reason = data.reason;
  d.message = data.message;
  d.awaitingModel = false;
  return true;
}

import {
  TERMINAL_RUN_STATUSES,
  type ModelRef,
  type Outcome,
  type RunLimits,
  type RunMode,
  type RunStatusName,
  type TerminalRunStatus,
  type Tier,
} from '@tether/contracts';
import type { CallRecord } from './loop.policy';
import type { TranscriptEntry } from './transcript';

/**
 * Bump when `RunState`'s shape or what `evolve` makes of an event changes: snapshots of a run's
 * state taken by other code are then ignored and the log is folded again.
 */
export const RUN_STATE_VERSION = 1;

/** Every status a run can be in, and `new` before its first event. `queued` is never produced by `evolve`; see {@link UnstartedRun}. */
export type RunStatus = 'new' | RunStatusName;

export const TERMINAL_STATUSES = TERMINAL_RUN_STATUSES;
export type TerminalStatus = TerminalRunStatus;
export type ActiveStatus = 'running' | 'waiting_for_approval' | 'waiting_for_tool';

export type PendingCallStatus = 'requested' | 'started' | 'awaiting_approval';

/** A tool call the model asked for that has not finished (completed, failed, denied or expired). */
export interface PendingCall {
  callId: string;
  tool: string;
  tier: Tier;
  /** As requested, or as edited by the approver on `approval.granted`. */
  args: Record<string, unknown>;
  /** The model turn that proposed it. */
  step: number;
  status: PendingCallStatus;
  /** Attempts started so far (0 until the first `tool.started`). */
  attempt: number;
  /** 1-based position of the latest `tool.started` in the run's log (the state's `version` then). */
  startedSeq?: number;
  /** From the latest `tool.started`: ISO time after which the outcome is unknown. */
  deadline?: string;
  /** From `approval.requested`. */
  approvalId?: string;
  /** Its arguments in the log were redacted: only the worker that decided it has the originals. */
  redacted?: boolean;
  /** From `budget.reserved`: the money held for a tool with a price. */
  reservation?: { id: string; amountUsd: number };
}

/** Fields every variant has; those that only exist once the run started are optional here. */
export interface RunFields {
  runId?: string;
  tenantId?: string;
  /** Agent name. */
  agent?: string;
  /** Release hash (`rel_…`). */
  release?: string;
  userId?: string;
  roles: string[];
  mode: RunMode;
  input?: string;
  /** ISO time of `run.started` (its envelope `time`). */
  startedAt?: string;
  model?: ModelRef;
  limits?: RunLimits;
  metadata?: Record<string, unknown>;
  requestId?: string;
  /** Model turns responded so far. */
  step: number;
  /** Attempts (`model.requested`) of the current, unanswered turn; 0 right after a response. */
  modelAttempt: number;
  /** A `model.requested` has no `model.responded`/`model.failed` yet. */
  awaitingModel: boolean;
  /** The budget reservation of the model call under way, from `budget.reserved`. */
  modelReservation?: string;
  /** The last answered model call that had a reservation: what it cost, to settle it early. */
  lastModelCharge?: { reservationId: string; costUsd: number; at: string };
  /** `tool.requested` events so far. */
  toolCalls: number;
  /** Input + output tokens over the run. */
  tokens: number;
  costUsd: number;
  /** Treat as immutable: `fold` and `evolve` never change an array they handed out. */
  transcript: TranscriptEntry[];
  /** In request order. Treat as immutable, like `transcript`. */
  pendingCalls: PendingCall[];
  /** Every requested call's tool and argument signature, for loop detection. Immutable too. */
  callHistory: CallRecord[];
  /** The last model turn proposed a call with invalid arguments: the next turn is its repair. */
  repairing: boolean;
  /**
   * A call whose outcome is unknown (its worker died mid-call): a human must take over, and
   * the run must not go on acting. Set by `tool.failed` with reason `unknown_outcome`.
   */
  unresolved?: { callId: string; tool: string };
  /**
   * The run must be handed to a human and end, for a reason other than an unknown outcome: an
   * approval expired on an agent that escalates expiries (`approval.expired`), or a tool result
   * carried an injection on an agent that escalates those (`tool.completed` with a guardrail).
   */
  handover?: { reason: string; callId: string; tool: string; rules?: string[] };
  /** The input checks held the input back: the run ends without the model (see `InputHeld`). */
  inputHeld?: InputHeld;
  /** `run.escalated` is in the log. */
  escalated: boolean;
  /**
   * Time spent waiting for humans, which the wall-clock limit does not count: a person deciding
   * over lunch must not time the run out. Closed periods, in ms…
   */
  approvalWaitMs: number;
  /** …and the start of the open one (the event that parked the run), while it waits. */
  waitingSince?: string;
  lastEventId?: string;
  /** Number of events folded. */
  version: number;
  outcome?: Outcome;
  reason?: string;
  /** The end-user message of the terminal event. */
  message?: string;
  /** The final answer, from `run.completed`. */
  output?: string;
}

/**
 * Before `run.started`. `queued` is reserved for read models (a start command accepted but not
 * yet decided); the domain treats it exactly like `new`.
 */
export interface UnstartedRun extends RunFields {
  status: 'new' | 'queued';
}

export interface ActiveRun extends RunFields {
  status: ActiveStatus;
  runId: string;
  tenantId: string;
  agent: string;
  release: string;
  userId: string;
  input: string;
  startedAt: string;
  model: ModelRef;
  limits: RunLimits;
}

/** After a terminal event. A `rejected` run never started, so its start fields may be absent. */
export interface EndedRun extends RunFields {
  status: TerminalStatus;
  outcome: Outcome;
  reason: string;
}

export type RunState = UnstartedRun | ActiveRun | EndedRun;

/** What the input checks decided, when it was not to go on (`guardrail.triggered` at input). */
export interface InputHeld {
  action: 'block' | 'refuse' | 'escalate';
  /** The rules that fired. */
  rules: string[];
}

export function initialState(): RunState {
  return {
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
  };
}

export function isTerminalStatus(status: RunStatus): status is TerminalStatus {
  switch (status) {
    case 'completed':
    case 'failed':
    case 'aborted':
    case 'cancelled':
    case 'rejected':
      return true;
    case 'new':
    case 'queued':
    case 'running':
    case 'waiting_for_approval':
    case 'waiting_for_tool':
      return false;
    default:
      return assertNever(status);
  }
}

export function isTerminal(state: RunState): state is EndedRun {
  return isTerminalStatus(state.status);
}

export function isActive(state: RunState): state is ActiveRun {
  return (
    state.status === 'running' ||
    state.status === 'waiting_for_approval' ||
    state.status === 'waiting_for_tool'
  );
}

export function isUnstarted(state: RunState): state is UnstartedRun {
  return state.status === 'new' || state.status === 'queued';
}

/** Exhaustiveness guard for `switch` statements. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/**
 * @tether/run-domain: a run as pure code. Fold a run's events with `evolve`/`fold`, ask
 * `nextAction` what comes next, and turn commands into events with `decide`. Synchronous, no I/O,
 * no clock, no random ids: time and ids come in with the command and its context.
 */
export type { TranscriptEntry } from './transcript';
export {
  initialState,
  isTerminal,
  isActive,
  isUnstarted,
  TERMINAL_STATUSES,
  RUN_STATE_VERSION,
  type RunStatus,
  type TerminalStatus,
  type ActiveStatus,
  type PendingCall,
  type PendingCallStatus,
  type RunFields,
  type UnstartedRun,
  type ActiveRun,
  type EndedRun,
  type RunState,
} from './run.state';
export { evolve, fold } from './run.evolve';
export {
  decide,
  type RunCommand,
  type ModelResponse,
  type DecideContext,
  deadlineOf,
} from './run.decide';
export type { DecidedEvent } from './decided';
export { nextAction, type NextAction } from './run.next';
export {
  autonomyOf,
  callPolicy,
  sampledForReview,
  approvalTerms,
  riskOfTier,
  queueIdOf,
  DEFAULT_APPROVAL_TTL_MS,
  type Autonomy,
  type CallPolicy,
  type ApprovalTerms,
} from './autonomy.policy';
export { DRAFTED } from './run.evolve';
export {
  callSignature,
  detectLoop,
  SAME_CALL_LIMIT,
  SAME_TOOL_RUN_LIMIT,
  type CallRecord,
  type LoopKind,
} from './loop.policy';
export {
  evaluatePermission,
  permissionFor,
  resourceOf,
  globMatches,
  describeRule,
  DEFAULT_DENY,
  type Effect,
  type PermissionDecision,
  type PermissionRequest,
} from './permission.policy';
export { capProblems } from './cap.policy';
export { Messages } from './run.messages';

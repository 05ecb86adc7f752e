/** Enumerations shared by commands and events: a const object plus a union type of the same name. */

export const RunMode = { Live: 'live', Shadow: 'shadow', DryRun: 'dry-run' } as const;
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/** Whether someone waits for a run's answer: it decides which wall-clock limit applies. */
export const RunExecution = { Sync: 'sync', Async: 'async' } as const;
export type RunExecution = (typeof RunExecution)[keyof typeof RunExecution];

export const Outcome = {
  Success: 'success',
  Partial: 'partial',
  Failed: 'failed',
  Aborted: 'aborted',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** 0 read-only, 1 bounded write, 2 irreversible (always a human approval). */
export const Tier = { ReadOnly: 0, BoundedWrite: 1, Irreversible: 2 } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

export const Decision = { Approve: 'approve', Deny: 'deny' } as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/**
 * Machine-readable reason codes carried by terminal and denial events. New codes may be added;
 * a code is never reused for a different meaning.
 */
export const ReasonCode = {
  Completed: 'completed',
  InvalidCommand: 'invalid_command',
  UnknownAgent: 'unknown_agent',
  InputTooLarge: 'input_too_large',
  DuplicateRun: 'duplicate_run',
  TenantMismatch: 'tenant_mismatch',
  MaxSteps: 'max_steps',
  MaxToolCalls: 'max_tool_calls',
  TokenBudget: 'token_budget',
  Budget: 'budget',
  Timeout: 'timeout',
  LoopDetected: 'loop_detected',
  Cancelled: 'cancelled',
  MalformedOutput: 'malformed_output',
  ModelError: 'model_error',
  ToolError: 'tool_error',
  UnknownTool: 'unknown_tool',
  InvalidArguments: 'invalid_arguments',
  PermissionDenied: 'permission_denied',
  ApprovalRequired: 'approval_required',
  UnknownOutcome: 'unknown_outcome',
  KillSwitch: 'kill_switch',
  RateLimited: 'rate_limited',
  CapExceeded: 'cap_exceeded',
  CircuitOpen: 'circuit_open',
  /** The log holds only redacted arguments and the originals died with a worker. */
  ArgsUnavailable: 'args_unavailable',
  /** An approval request expired and the agent hands such runs to a human. */
  ApprovalExpired: 'approval_expired',
  /** Autonomy 3: the call was drafted for a human, never made. */
  DraftOnly: 'draft_only',
  /** A guardrail blocked the input, the output or a call's arguments. */
  GuardrailBlocked: 'guardrail_blocked',
  /** The request is outside what the agent is for: answered with a polite refusal, no model call. */
  OutOfScope: 'out_of_scope',
  /** The request matches a pattern the agent's policy leaves to a human. */
  PolicyAmbiguous: 'policy_ambiguous',
  /** The model declared less confidence than the agent requires. */
  LowConfidence: 'low_confidence',
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

export const REASON_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** Run ids are chosen by the client: `run_` and a ULID, or any other single subject token after `run_`. */
export const RUN_ID_PATTERN = /^run_[A-Za-z0-9_-]{1,60}$/;
export const AGENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
/** Tool names as agents declare them (`lookup_order`, `crm.search`); also the last part of a switch key. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$/;
/** Upper bound of `run.start` input accepted by the contract; agents may set a lower one. */
export const MAX_INPUT_CHARS = 100_000;

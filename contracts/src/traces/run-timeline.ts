/**
 * A run's timeline as the trace-store serves it (`run.timeline`): the run, then each model
 * turn, model call attempt, tool call, approval and guardrail trigger, oldest first. Arguments,
 * results and errors are as the log holds them, redacted before they were stored. Times are
 * ISO 8601; a value not known yet (a call still running) is `null`.
 */
import type { RunView } from './run-queries';

export interface StepView {
  step: number;
  /** The model that answered. */
  model: string | null;
  attempts: number | null;
  failures: number;
  startedAt: string | null;
  endedAt: string | null;
  finishReason: string | null;
  /** Tool calls the model proposed in this turn. */
  toolCalls: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  /** The model's text, when it wrote any. */
  text: string | null;
}

export interface ModelCallView {
  step: number;
  /** 0 for an answer recorded before answers named their attempt. */
  attempt: number;
  provider: string | null;
  requestedModel: string | null;
  /** The exact model id that answered. */
  model: string | null;
  status: (typeof MODEL_CALL_STATUSES)[number];
  requestedAt: string | null;
  endedAt: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  finishReason: string | null;
  error: string | null;
  retryable: boolean | null;
}

/** `proposed`: the model asked for it and nothing else happened (the run ended first). */
export const TOOL_CALL_STATUSES = [
  'proposed',
  'requested',
  'awaiting_approval',
  'approved',
  'running',
  'completed',
  'failed',
  'denied',
  'drafted',
] as const;
export type ToolCallStatus = (typeof TOOL_CALL_STATUSES)[number];

export const MODEL_CALL_STATUSES = ['requested', 'responded', 'failed'] as const;
export const APPROVAL_STATUSES = ['pending', 'granted', 'denied', 'expired'] as const;

export interface ToolCallView {
  callId: string;
  tool: string | null;
  tier: number | null;
  step: number | null;
  args: Record<string, unknown> | null;
  /** What the permission matrix said, and the rule that said it. */
  permission: string | null;
  rule: string | null;
  status: ToolCallStatus;
  /** Why it failed or was denied (a reason code), with the message. */
  reason: string | null;
  error: string | null;
  /** The rule or switch that denied it. */
  deniedBy: string | null;
  requestedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  attempts: number | null;
  dryRun: boolean | null;
  result: unknown;
  latencyMs: number | null;
  costUsd: number | null;
  /** What the injection rules made of the result: `flag`, `block` or `escalate`. */
  guardrail: string | null;
}

export interface ApprovalView {
  approvalId: string;
  callId: string | null;
  tool: string | null;
  tier: number | null;
  requestedBy: string | null;
  quorum: number | null;
  risk: string | null;
  requestedAt: string | null;
  expiresAt: string | null;
  status: (typeof APPROVAL_STATUSES)[number];
  approverId: string | null;
  reason: string | null;
  decidedAt: string | null;
  /** The approver changed the arguments. */
  edited: boolean | null;
}

export interface GuardrailTriggerView {
  /** The event's position in the log. */
  seq: number;
  ruleId: string | null;
  stage: string | null;
  action: string | null;
  callId: string | null;
  detail: string | null;
  at: string | null;
}

export interface RunTimeline {
  run: RunView;
  steps: StepView[];
  modelCalls: ModelCallView[];
  toolCalls: ToolCallView[];
  approvals: ApprovalView[];
  guardrails: GuardrailTriggerView[];
}

import { ReasonCode, RunMode, Tier, type ToolSpec } from '@tether/contracts';
import type { CallPolicy } from '@tether/run-domain';

export type Gate =
  | { verdict: 'run'; dryRun: boolean }
  | { verdict: 'deny'; reason: string; message: string; rule?: string };

export interface GateInput {
  tool: string;
  declared: ToolSpec | undefined;
  implemented: boolean;
  mode: RunMode;
  /** What the tool's JSON Schema found wrong with the arguments (none: valid). */
  argProblems: string[];
  /** Arguments above the tool's caps. */
  capProblems: string[];
  /** Guardrail rules whose blocked-action patterns the arguments match (none: clean). */
  blockedBy: string[];
  /** The permission matrix and autonomy for the caller's roles (tier 2 and autonomy 2 come out as `ask`). */
  permission: Pick<CallPolicy, 'effect' | 'rule'> & { draft?: boolean };
  /** An approval for this very call is granted in the run's log. */
  approved: boolean;
  /** Who switched the tool off and why, when someone did. */
  switchedOff?: { by: string; reason: string };
}

/**
 * Whether a requested call may run, before anything runs. Default deny: a tool the agent does
 * not declare, or no code serves, or that is switched off, or whose arguments break its schema,
 * match a blocked-action guardrail or exceed its caps, or that the permission matrix denies, never runs; one the matrix asks about (every
 * tier 2 tool) runs only with a granted approval. Shadow and dry-run modes never cause side
 * effects. The first reason found is the one reported, in the order listed.
 */
export function gateToolCall(input: GateInput): Gate {
  const { tool, declared } = input;
  if (!declared) {
    return deny(ReasonCode.UnknownTool, `tool ${tool} is not declared by this agent`);
  }
  if (!input.implemented) return deny(ReasonCode.UnknownTool, `no tool source serves ${tool}`);
  if (input.switchedOff) {
    const { by, reason } = input.switchedOff;
    return deny(
      ReasonCode.KillSwitch,
      `${tool} is switched off by an operator (${reason}); do not call it again in this run`,
      `kill switch set by ${by}`,
    );
  }
  if (input.argProblems.length) {
    return deny(
      ReasonCode.InvalidArguments,
      `invalid arguments for ${tool}: ${input.argProblems.join('; ')}`,
    );
  }
  if (input.blockedBy.length) {
    return deny(
      ReasonCode.GuardrailBlocked,
      `${tool} was blocked: its arguments contain an action this agent may never take`,
      input.blockedBy.join(','),
    );
  }
  if (input.capProblems.length) {
    return deny(ReasonCode.CapExceeded, `${tool} refuses this: ${input.capProblems.join('; ')}`);
  }
  const { effect, rule } = input.permission;
  if (effect === 'deny') {
    return deny(ReasonCode.PermissionDenied, `${tool} is not allowed for this user`, rule);
  }
  if (input.permission.draft) {
    return deny(ReasonCode.DraftOnly, `${tool} is draft only: a person carries it out`, rule);
  }
  if ((effect === 'ask' || declared.tier === Tier.Irreversible) && !input.approved) {
    return deny(ReasonCode.ApprovalRequired, `${tool} needs a human approval first`, rule);
  }
  const dryRun = input.mode !== RunMode.Live && declared.tier !== Tier.ReadOnly;
  return { verdict: 'run', dryRun };
}

function deny(reason: string, message: string, rule?: string): Gate {
  return { verdict: 'deny', reason, message, ...(rule !== undefined && { rule }) };
}

/** Whether a call may run again when its first attempt's outcome is unknown. */
export function safeToRepeat(spec: ToolSpec | undefined): boolean {
  return spec !== undefined && (spec.idempotent === true || spec.tier === Tier.ReadOnly);
}

import { ReasonCode, RunMode, Tier, type ToolSpec } from '@tether/contracts';

export type Gate =
  { verdict: 'run'; dryRun: boolean } | { verdict: 'deny'; reason: string; message: string };

/**
 * Whether a requested call may run, before anything runs. Default deny: a tool the agent does
 * not declare, or no code serves, or whose arguments break its schema, never runs. Tier 2 always needs a human approval; until an
 * approval is granted for the call it is denied. Shadow and dry-run modes never cause side effects.
 */
export function gateToolCall(input: {
  tool: string;
  declared: ToolSpec | undefined;
  implemented: boolean;
  mode: RunMode;
  approved: boolean;
  /** What the tool's JSON Schema found wrong with the arguments (none: valid). */
  argProblems?: string[];
}): Gate {
  if (!input.declared) {
    return {
      verdict: 'deny',
      reason: ReasonCode.UnknownTool,
      message: `tool ${input.tool} is not declared by this agent`,
    };
  }
  if (!input.implemented) {
    return {
      verdict: 'deny',
      reason: ReasonCode.UnknownTool,
      message: `no tool source serves ${input.tool}`,
    };
  }
  if (input.argProblems?.length) {
    return {
      verdict: 'deny',
      reason: ReasonCode.InvalidArguments,
      message: `invalid arguments for ${input.tool}: ${input.argProblems.join('; ')}`,
    };
  }
  if (input.declared.tier === Tier.Irreversible && !input.approved) {
    return {
      verdict: 'deny',
      reason: ReasonCode.ApprovalRequired,
      message: `${input.tool} is irreversible and needs a human approval`,
    };
  }
  const dryRun = input.mode !== RunMode.Live && input.declared.tier !== Tier.ReadOnly;
  return { verdict: 'run', dryRun };
}

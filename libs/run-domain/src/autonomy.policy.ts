import { Tier, type AgentSpec, type ToolSpec } from '@tether/contracts';
import { permissionFor, type PermissionDecision } from './permission.policy';

/**
 * Autonomy: how far an agent may act on its own, per agent and per tool.
 * 0 act; 1 act and sample a share of the actions for review after the fact; 2 ask a human
 * before acting; 3 draft only — the call goes to a human to carry out and is never made.
 * The agent's level covers calls with effects (tier 1 and 2); reads stay free unless the tool
 * sets its own level. Tier 2 always asks, whatever the level; 3 still only drafts it.
 */
export type Autonomy = 0 | 1 | 2 | 3;

export function autonomyOf(agent: AgentSpec, tool: ToolSpec): Autonomy {
  if (tool.autonomy !== undefined) return tool.autonomy;
  return tool.tier === Tier.ReadOnly ? 0 : (agent.autonomy ?? 0);
}

export interface CallPolicy extends PermissionDecision {
  autonomy: Autonomy;
  /** The call waits for a human before it may run (effect is `ask`). */
  needsApproval: boolean;
  /** Autonomy 3: the call is drafted for a human and never made. */
  draft: boolean;
}

/**
 * Everything that decides whether a proposed call of a declared tool may run, and how: the
 * permission matrix, then autonomy. Asked by the orchestrator when it decides the call and by the
 * tool-executor before running it, so both always agree.
 */
export function callPolicy(
  agent: AgentSpec,
  roles: readonly string[],
  tool: ToolSpec,
  args: Record<string, unknown>,
): CallPolicy {
  const permission = permissionFor(agent.permissions, roles, tool, args);
  const autonomy = autonomyOf(agent, tool);
  if (permission.effect === 'deny') {
    return { ...permission, autonomy, needsApproval: false, draft: false };
  }
  if (autonomy === 3) return { ...permission, autonomy, needsApproval: false, draft: true };
  if (autonomy === 2 && permission.effect === 'allow') {
    const where = tool.autonomy !== undefined ? `tool ${tool.name}` : 'agent';
    return {
      effect: 'ask',
      rule: `${permission.rule}; autonomy 2 (${where}) asks`,
      autonomy,
      needsApproval: true,
      draft: false,
    };
  }
  return { ...permission, autonomy, needsApproval: permission.effect === 'ask', draft: false };
}

/**
 * Autonomy 1: whether this call is among the share sampled for review. A hash of the run and
 * call, so deciding again (after a crash, or replaying the log) samples the same calls.
 */
export function sampledForReview(runId: string, callId: string, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  // FNV-1a, 32 bits: spread enough for sampling, and no dependency.
  let h = 0x811c9dc5;
  const key = `${runId}:${callId}`;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000 < share;
}

export const DEFAULT_APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

export interface ApprovalTerms {
  quorum: number;
  ttlMs: number;
  onExpiry: 'deny' | 'escalate';
  risk: 'low' | 'medium' | 'high';
}

/** How a call is asked about: the tool's `approval`, else the agent's, else one approver for 24 h, expiry denies. */
export function approvalTerms(
  agent: AgentSpec | undefined,
  tool: ToolSpec | undefined,
): ApprovalTerms {
  const own = tool?.approval ?? {};
  const base = agent?.approval ?? {};
  return {
    quorum: own.quorum ?? base.quorum ?? 1,
    ttlMs: own.ttlMs ?? base.ttlMs ?? DEFAULT_APPROVAL_TTL_MS,
    onExpiry: own.onExpiry ?? base.onExpiry ?? 'deny',
    risk: tool?.risk ?? riskOfTier(tool?.tier ?? Tier.Irreversible),
  };
}

/** The risk shown to a person when the tool declares none: by tier. */
export function riskOfTier(tier: Tier): ApprovalTerms['risk'] {
  return (['low', 'medium', 'high'] as const)[tier];
}

/**
 * The id of what a person is asked about one call (`apr` approval, `rev` review, `drf` draft):
 * derived from the run and call, so deciding again yields the same id.
 */
export function queueIdOf(kind: 'apr' | 'rev' | 'drf', runId: string, callId: string): string {
  return `${kind}_${runId.slice('run_'.length)}_${callId}`;
}

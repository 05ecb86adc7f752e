/**
 * The approval queue as the approval service serves it over request/reply
 * (`<P>.svc.approval.<op>`, see `ApprovalOp`): what the gateway, the CLI and operators' own tools
 * read and decide through. Every request names the caller's tenant; nothing crosses tenants.
 */
import type { Decision, Tier } from '../vocabulary';

export const APPROVAL_SERVICE = 'approval';

export const ApprovalOp = {
  /** `ApprovalListQuery` → `ApprovalPage` */
  List: 'list',
  /** `{ tenantId, approvalId }` → `ApprovalQueueItem` (NotFoundError for another tenant's) */
  Get: 'get',
  /** `ApprovalDecideRequest` → `ApprovalDecisionResult` */
  Decide: 'decide',
} as const;
export type ApprovalOp = (typeof ApprovalOp)[keyof typeof ApprovalOp];

export const ApprovalStatus = {
  Pending: 'pending',
  Granted: 'granted',
  Denied: 'denied',
  Expired: 'expired',
  /** The run ended (cancelled, timed out…) before anyone decided. */
  Cancelled: 'cancelled',
  /** Autonomy 1 (a sampled action to review after the fact) and 3 (a draft for a human to carry out). */
  Open: 'open',
  Done: 'done',
} as const;
export type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

/** `approval` waits for a decision before the call; `review` looks back at a call made; `draft` is a call a human carries out. */
export const QueueKind = { Approval: 'approval', Review: 'review', Draft: 'draft' } as const;
export type QueueKind = (typeof QueueKind)[keyof typeof QueueKind];

export const Risk = { Low: 'low', Medium: 'medium', High: 'high' } as const;
export type Risk = (typeof Risk)[keyof typeof Risk];

export interface ApprovalVote {
  approverId: string;
  decision: Decision;
  reason?: string;
  time: string;
  /** This approval came with edited arguments. */
  edited?: boolean;
  /** Given to arguments a later approver edited: it no longer counts towards the quorum. */
  superseded?: boolean;
}

export interface ApprovalQueueItem {
  approvalId: string;
  kind: QueueKind;
  tenantId: string;
  runId: string;
  callId: string;
  agent: string;
  tool: string;
  tier: Tier;
  risk: Risk;
  /** Redacted: what the approver sees is what the log holds. */
  args: Record<string, unknown>;
  /** The arguments an approver put in their place, which the standing approvals are for. */
  editedArgs?: Record<string, unknown>;
  /** The user the run acts for; never allowed to approve it. */
  requestedBy: string;
  /** What the approver needs to judge the call: the run's input (redacted), step, and the model's reasoning text when it gave one. */
  context: Record<string, unknown>;
  status: ApprovalStatus;
  quorum: number;
  votes: ApprovalVote[];
  /** What expiry does: deny the call, or hand the run to a human. */
  onExpiry: 'deny' | 'escalate';
  expiresAt: string;
  createdAt: string;
  decidedAt?: string;
}

export interface ApprovalListQuery {
  tenantId: string;
  status?: ApprovalStatus;
  kind?: QueueKind;
  runId?: string;
  /** 1–200, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ApprovalPage {
  items: ApprovalQueueItem[];
  nextCursor?: string;
}

/**
 * An `approval.decide` command as the gateway forwards it: the body of the bus command plus the
 * tenant the caller's key belongs to (on the bus, the tenant is the subject's).
 */
export interface ApprovalDecideRequest {
  tenantId: string;
  approvalId: string;
  decision: Decision;
  approverId: string;
  roles: string[];
  reason?: string;
  editedArgs?: Record<string, unknown>;
}

/**
 * The answer to a decision. Refusals are errors with a `code` (and each leaves an
 * `approval.refused` record in `_CTL`): `validation_failed` (malformed, or edited arguments the
 * tool refuses), `forbidden` (no approver role, or the approver's own run), `not_found` (no such
 * approval in this tenant), `illegal_state` (already decided, expired, or the run ended).
 */
export interface ApprovalDecisionResult {
  approvalId: string;
  status: ApprovalStatus;
  /** Distinct approvals so far and how many are needed. */
  approvals: number;
  quorum: number;
}

/** Roles that may decide approvals. */
export const APPROVER_ROLES: readonly string[] = ['approver', 'admin'];

import {
  APPROVER_ROLES,
  ApprovalStatus,
  QueueKind,
  type ApprovalVote,
  type Decision,
} from '@tether/contracts';

/** What the vote needs to know of the queue entry (locked while the vote is decided). */
export interface Ballot {
  kind: QueueKind;
  status: ApprovalStatus;
  requestedBy: string;
  quorum: number;
  votes: ApprovalVote[];
  expiresAt: string;
  /** The edited arguments the current approvals stand behind, if any. */
  editedArgs?: Record<string, unknown>;
}

export interface Vote {
  approverId: string;
  roles: readonly string[];
  decision: Decision;
  reason?: string;
  editedArgs?: Record<string, unknown>;
  time: string;
}

export type Refusal = {
  outcome: 'refused';
  code: 'forbidden' | 'illegal_state';
  message: string;
};

export type VoteOutcome =
  | Refusal
  /** Counted, more approvals needed. */
  | {
      outcome: 'counted';
      votes: ApprovalVote[];
      approvals: number;
      editedArgs?: Record<string, unknown>;
    }
  | { outcome: 'granted'; votes: ApprovalVote[]; editedArgs?: Record<string, unknown> }
  | { outcome: 'denied'; votes: ApprovalVote[] }
  /** Review and draft entries: a person looked (approve: fine / carried out; deny: not right). */
  | { outcome: 'resolved'; votes: ApprovalVote[] }
  /** This very vote was already counted (a redelivered command): nothing changes. */
  | { outcome: 'repeated' };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * One approver's vote on one queue entry. Who may vote: a holder of an approver role, never the
 * user the run acts for. What a vote does: one denial denies; approvals count towards the quorum,
 * by distinct approvers; an approval with edited arguments replaces the arguments, so earlier
 * approvals (given to other arguments) no longer count. Tenant and existence are the caller's to
 * check: an entry of another tenant is never loaded.
 */
export function castVote(ballot: Ballot, vote: Vote): VoteOutcome {
  if (!vote.roles.some((r) => APPROVER_ROLES.includes(r))) {
    return refuse(
      'forbidden',
      `${vote.approverId} holds no approver role (${APPROVER_ROLES.join(' or ')})`,
    );
  }
  if (vote.approverId === ballot.requestedBy) {
    return refuse('forbidden', `${vote.approverId} cannot decide on a call made for themselves`);
  }
  const previous = ballot.votes.find((v) => v.approverId === vote.approverId);
  if (
    previous &&
    !previous.superseded &&
    previous.decision === vote.decision &&
    same(vote.editedArgs, vote.decision === 'approve' ? ballot.editedArgs : undefined)
  ) {
    return { outcome: 'repeated' };
  }
  if (ballot.status !== ApprovalStatus.Pending && ballot.status !== ApprovalStatus.Open) {
    return refuse('illegal_state', `this ${ballot.kind} is already ${ballot.status}`);
  }
  const record: ApprovalVote = {
    approverId: vote.approverId,
    decision: vote.decision,
    time: vote.time,
    ...(vote.reason !== undefined && { reason: vote.reason }),
  };
  if (ballot.kind !== QueueKind.Approval) {
    if (vote.editedArgs)
      return refuse('illegal_state', `a ${ballot.kind} has no arguments to edit`);
    return { outcome: 'resolved', votes: [...ballot.votes, record] };
  }
  if (Date.parse(vote.time) >= Date.parse(ballot.expiresAt)) {
    return refuse('illegal_state', `this approval expired at ${ballot.expiresAt}`);
  }
  if (vote.decision === 'deny') {
    if (vote.editedArgs) return refuse('illegal_state', 'a denial cannot edit the arguments');
    return { outcome: 'denied', votes: [...ballot.votes, record] };
  }
  const edited = vote.editedArgs !== undefined && !same(vote.editedArgs, ballot.editedArgs);
  const others = ballot.votes.filter((v) => v.approverId !== vote.approverId);
  // New arguments: approvals given to the old ones no longer stand.
  const votes = [
    ...(edited
      ? others.map((v) => (v.decision === 'approve' ? { ...v, superseded: true } : v))
      : others),
    { ...record, ...(edited && { edited: true }) },
  ];
  const editedArgs = edited ? vote.editedArgs : ballot.editedArgs;
  const approvals = votes.filter((v) => v.decision === 'approve' && !v.superseded).length;
  if (approvals >= ballot.quorum) {
    return { outcome: 'granted', votes, ...(editedArgs && { editedArgs }) };
  }
  return { outcome: 'counted', votes, approvals, ...(editedArgs && { editedArgs }) };
}

function refuse(code: Refusal['code'], message: string): Refusal {
  return { outcome: 'refused', code, message };
}

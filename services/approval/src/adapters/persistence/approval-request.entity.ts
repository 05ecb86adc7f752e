import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ApprovalVote } from '@tether/contracts';

/**
 * One entry of the queue humans work from: a call waiting for approval, a call sampled for
 * review (autonomy 1), or a draft to carry out (autonomy 3). A projection of the run log
 * (`approval.requested`, `review.requested`, `tool.drafted`), plus the votes cast so far.
 */
@Entity('approval_requests')
@Index(['tenantId', 'runId'])
@Index(['status', 'expiresAt'])
@Index(['tenantId', 'status', 'createdAt'])
export class ApprovalRequestEntity {
  /** `apr_…`, `rev_…` or `drf_…`. */
  @PrimaryColumn('text', { name: 'approval_id' }) approvalId!: string;
  /** `approval`, `review` or `draft`. */
  @Column('text') kind!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text', { name: 'run_id' }) runId!: string;
  @Column('text', { name: 'call_id' }) callId!: string;
  @Column('text') agent!: string;
  @Column('text') tool!: string;
  @Column('smallint') tier!: number;
  @Column('text') risk!: string;
  /** The call's arguments as the log holds them (already redacted). */
  @Column('jsonb') args!: Record<string, unknown>;
  @Column('text', { name: 'requested_by' }) requestedBy!: string;
  /** Redacted context for the approver: the run's input, the step, the model's text. */
  @Column('jsonb') context!: Record<string, unknown>;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  /** Approvals needed before the call may run. */
  @Column('smallint') quorum!: number;
  @Column('text', { name: 'on_expiry' }) onExpiry!: string;
  @Column('jsonb') votes!: ApprovalVote[];
  /** The arguments the standing approvals were given to, when an approver edited them. */
  @Column('jsonb', { name: 'edited_args', nullable: true }) editedArgs!: Record<
    string,
    unknown
  > | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt!: Date | null;
}

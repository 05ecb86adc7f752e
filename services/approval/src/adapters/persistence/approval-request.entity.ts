import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One approval request for one tool call; the queue operators work from. */
@Entity('approval_requests')
@Index(['tenantId', 'runId'])
@Index(['status', 'expiresAt'])
export class ApprovalRequestEntity {
  @PrimaryColumn('text', { name: 'approval_id' }) approvalId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text', { name: 'run_id' }) runId!: string;
  @Column('text', { name: 'call_id' }) callId!: string;
  @Column('text') tool!: string;
  @Column('smallint') tier!: number;
  /** The call's arguments as recorded on `approval.requested` (already redacted). */
  @Column('jsonb') args!: unknown;
  @Column('text', { name: 'requested_by' }) requestedBy!: string;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  /** Approvals needed before the call may run. */
  @Column('smallint') quorum!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt!: Date | null;
}

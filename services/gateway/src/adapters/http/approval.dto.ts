import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import {
  ApprovalStatus,
  DecideApproval,
  Decision,
  QueueKind,
  RUN_ID_PATTERN,
  Risk,
  type ApprovalDecisionResult,
  type ApprovalPage,
  type ApprovalQueueItem,
  type ApprovalVote,
} from '@tether/contracts';
import { PageParams } from './page.dto';

const APPROVAL_ID_PATTERN = /^apr_[A-Za-z0-9_-]{1,60}$/;

/** `GET /v1/approvals` query: the `ApprovalListQuery` of the contract, less the tenant (the key's). */
export class ApprovalListParams extends PageParams {
  @ApiPropertyOptional({ enum: Object.values(ApprovalStatus) })
  @IsOptional()
  @IsIn(Object.values(ApprovalStatus))
  status?: ApprovalStatus;

  @ApiPropertyOptional({ enum: Object.values(QueueKind) })
  @IsOptional()
  @IsIn(Object.values(QueueKind))
  kind?: QueueKind;

  @ApiPropertyOptional({ example: 'run_01JDQ7ZK3V9W2M4N6P8R0T2V4X' })
  @IsOptional()
  @Matches(RUN_ID_PATTERN, { message: 'runId must be "run_" and a subject-safe id' })
  runId?: string;
}

export class ApprovalParams {
  @ApiProperty({ example: 'apr_01JDQ7ZK3V9W2M4N6P8R0T2V4X' })
  @Matches(APPROVAL_ID_PATTERN, { message: 'approvalId must be "apr_" and a subject-safe id' })
  approvalId!: string;
}

/**
 * `POST /v1/approvals/:approvalId/decision`: the caller's part of the `approval.decide` command,
 * validated by the contract's own rules. The approver, roles and tenant come from the key.
 */
export class DecisionBody extends PickType(DecideApproval, [
  'decision',
  'reason',
  'editedArgs',
] as const) {
  @ApiProperty({ enum: Object.values(Decision) })
  override decision!: Decision;

  @ApiPropertyOptional({ maxLength: 2000, example: 'checked the order' })
  override reason?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Replacement arguments, re-validated against the tool's schema.",
  })
  override editedArgs?: Record<string, unknown>;
}

// The classes below document the approval service's answers in OpenAPI; `implements` keeps them
// in step with the contract's interfaces.

class ApprovalVoteDoc implements ApprovalVote {
  @ApiProperty() approverId!: string;
  @ApiProperty({ enum: Object.values(Decision) }) decision!: Decision;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiPropertyOptional({ description: 'This approval came with edited arguments.' })
  edited?: boolean;
  @ApiPropertyOptional({ description: 'A later edit of the arguments made it stop counting.' })
  superseded?: boolean;
}

export class ApprovalQueueItemDoc implements ApprovalQueueItem {
  @ApiProperty() approvalId!: string;
  @ApiProperty({ enum: Object.values(QueueKind) }) kind!: QueueKind;
  @ApiProperty() tenantId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty() callId!: string;
  @ApiProperty() agent!: string;
  @ApiProperty() tool!: string;
  @ApiProperty({ enum: [0, 1, 2] }) tier!: 0 | 1 | 2;
  @ApiProperty({ enum: Object.values(Risk) }) risk!: Risk;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Redacted.' })
  args!: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The arguments an approver put in their place.',
  })
  editedArgs?: Record<string, unknown>;
  @ApiProperty({ description: 'The user the run acts for; never allowed to approve it.' })
  requestedBy!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) context!: Record<string, unknown>;
  @ApiProperty({ enum: Object.values(ApprovalStatus) }) status!: ApprovalStatus;
  @ApiProperty() quorum!: number;
  @ApiProperty({ type: [ApprovalVoteDoc] }) votes!: ApprovalVoteDoc[];
  @ApiProperty({ enum: ['deny', 'escalate'] }) onExpiry!: 'deny' | 'escalate';
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) decidedAt?: string;
}

export class ApprovalPageDoc implements ApprovalPage {
  @ApiProperty({ type: [ApprovalQueueItemDoc] }) items!: ApprovalQueueItemDoc[];
  @ApiPropertyOptional() nextCursor?: string;
}

export class ApprovalDecisionResultDoc implements ApprovalDecisionResult {
  @ApiProperty() approvalId!: string;
  @ApiProperty({ enum: Object.values(ApprovalStatus) }) status!: ApprovalStatus;
  @ApiProperty({ description: 'Distinct approvals so far.' }) approvals!: number;
  @ApiProperty({ description: 'Approvals needed.' }) quorum!: number;
}

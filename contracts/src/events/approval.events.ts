import { IsIn, IsInt, IsObject, IsOptional, IsString, Min } from 'class-validator';
import { Tier } from '../vocabulary';

export class ApprovalRequested {
  @IsString() approvalId!: string;
  @IsString() callId!: string;
  @IsString() tool!: string;
  @IsIn(Object.values(Tier)) tier!: Tier;
  /** Redacted arguments shown to the approver. */
  @IsObject() args!: Record<string, unknown>;
  /** The user the run acts for. */
  @IsString() requestedBy!: string;
  @IsString() expiresAt!: string;
  /** Distinct approvers needed. */
  @IsInt() @Min(1) quorum!: number;
  /** Shown to approvers (from the tool, or its tier). */
  @IsOptional() @IsIn(['low', 'medium', 'high']) risk?: 'low' | 'medium' | 'high';
  /** What expiry does: deny the call (default) or hand the run to a human. */
  @IsOptional() @IsIn(['deny', 'escalate']) onExpiry?: 'deny' | 'escalate';
  /** What the approver needs to judge (redacted): the run's input, the step, the model's text. */
  @IsOptional() @IsObject() context?: Record<string, unknown>;
}

export class ApprovalGranted {
  @IsString() approvalId!: string;
  @IsString() callId!: string;
  @IsString() approverId!: string;
  @IsOptional() @IsString() reason?: string;
  @IsOptional() @IsObject() editedArgs?: Record<string, unknown>;
}

export class ApprovalDenied {
  @IsString() approvalId!: string;
  @IsString() callId!: string;
  @IsString() approverId!: string;
  @IsOptional() @IsString() reason?: string;
}

export class ApprovalExpired {
  @IsString() approvalId!: string;
  @IsString() callId!: string;
  /** `escalate`: the run is handed to a human and ends; otherwise the call is denied. */
  @IsOptional() @IsIn(['deny', 'escalate']) action?: 'deny' | 'escalate';
}

/**
 * Autonomy 1: a call made without asking, sampled for a human to review after the fact. Appended
 * with its `tool.requested`; the approval queue holds it (`reviewId`) until someone looks.
 */
export class ReviewRequested {
  @IsString() reviewId!: string;
  @IsString() callId!: string;
  @IsString() tool!: string;
  @IsIn(Object.values(Tier)) tier!: Tier;
  @IsObject() args!: Record<string, unknown>;
  /** The user the run acts for (who may not review it), and the agent. */
  @IsString() requestedBy!: string;
  @IsString() agent!: string;
}

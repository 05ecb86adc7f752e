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
}

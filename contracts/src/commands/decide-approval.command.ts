import { IsArray, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Decision } from '../vocabulary';

/** Body of `<P>.cmd.<tenant>.approval.decide`. */
export class DecideApproval {
  /** The `approvalId` of an `approval.requested` event. */
  @Matches(/^apr_[A-Za-z0-9_-]{1,60}$/)
  approvalId!: string;

  @IsIn(Object.values(Decision))
  decision!: Decision;

  @IsString()
  @MaxLength(128)
  approverId!: string;

  /** Roles of the approver; the gateway sets them from the caller's key. */
  @IsArray()
  @IsString({ each: true })
  roles!: string[];

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  /** Replacement arguments; re-validated against the tool's schema before use. */
  @IsOptional()
  @IsObject()
  editedArgs?: Record<string, unknown>;
}

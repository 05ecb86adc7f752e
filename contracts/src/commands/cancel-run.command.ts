import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { RUN_ID_PATTERN } from '../vocabulary';

/** Body of `<P>.cmd.<tenant>.run.cancel`. */
export class CancelRun {
  @Matches(RUN_ID_PATTERN)
  runId!: string;

  /** Why, in words for the audit trail. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  /** Who asked (a user or operator id). */
  @IsString()
  @MaxLength(128)
  requestedBy!: string;
}

import { IsString, Matches, MaxLength } from 'class-validator';
import { RUN_ID_PATTERN } from '../vocabulary';

/**
 * `<P>.cmd.<tenant>.run.resume`: a parked run has something new to act on (a human decided its
 * approval, or it expired), so an orchestrator should drive it. Published by the approval service
 * after appending the decision; resuming a run with nothing to do is harmless.
 */
export class RunResume {
  @Matches(RUN_ID_PATTERN) runId!: string;
  /** What happened, for logs: `approval.granted`, `approval.expired`, … */
  @IsString() @MaxLength(64) cause!: string;
}

export const RUN_RESUME = 'run.resume';

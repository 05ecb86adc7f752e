import { IsISO8601, Matches } from 'class-validator';
import { RUN_ID_PATTERN } from '../vocabulary';

/**
 * A run's wall-clock deadline, kept as a message on `<P>.cmd.<tenant>.timer.deadline` (stream
 * `_CMD`) so it survives any restart: the orchestrator's timer consumer holds it back until it
 * is due, then aborts the run with reason `timeout` if it is still going. Published by the
 * orchestrator when a run parks; publishing one again is harmless (the check is idempotent).
 */
export class RunDeadline {
  @Matches(RUN_ID_PATTERN) runId!: string;
  /** ISO time at which the run times out. */
  @IsISO8601({ strict: true }) dueAt!: string;
}

export const TIMER = { deadline: 'timer.deadline' } as const;

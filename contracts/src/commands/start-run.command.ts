import {
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ArrayMaxSize,
} from 'class-validator';
import {
  AGENT_NAME_PATTERN,
  MAX_INPUT_CHARS,
  RUN_ID_PATTERN,
  RunExecution,
  RunMode,
} from '../vocabulary';

/** Body of `<P>.cmd.<tenant>.run.start`. The message's `Nats-Msg-Id` is the idempotency key. */
export class StartRun {
  /** Chosen by the client (`run_` + ULID) so it can follow the run at once. */
  @Matches(RUN_ID_PATTERN, { message: 'runId must be "run_" followed by a subject-safe id' })
  runId!: string;

  /** Name of a loaded agent (lower-case, digits, "-"). */
  @Matches(AGENT_NAME_PATTERN, { message: 'agent must be a lower-case agent name' })
  agent!: string;

  /** The user's request, in characters; agents may set a lower maximum. */
  @IsString()
  @MaxLength(MAX_INPUT_CHARS)
  input!: string;

  /** The end user the run acts for. */
  @IsString()
  @MaxLength(128)
  userId!: string;

  /** Roles of that user; set by the gateway from the caller's key, or by the bus publisher. */
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  roles!: string[];

  /** `live` (default), `shadow` (tools in dry-run) or `dry-run`. */
  @IsOptional()
  @IsIn(Object.values(RunMode))
  mode?: RunMode;

  /**
   * `sync` (default): someone waits for the answer, and the agent's `timeoutMs` (90 s) applies.
   * `async`: nobody waits (a batch job, a run that waits for people), and `asyncTimeoutMs`
   * (30 min) applies.
   */
  @IsOptional()
  @IsIn(Object.values(RunExecution))
  execution?: RunExecution;

  /** Free-form labels kept with the run. */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

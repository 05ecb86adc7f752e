import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  AGENT_NAME_PATTERN,
  CancelRun,
  Outcome,
  RUN_ID_PATTERN,
  RUN_STATUSES,
  RunExecution,
  RunMode,
  StartRun,
  TOOL_NAME_PATTERN,
  type RunPage,
  type RunStatusName,
  type RunView,
} from '@tether/contracts';
import { PageParams } from './page.dto';

/**
 * `POST /v1/runs`: the caller's part of the `run.start` command, validated by the contract's own
 * rules. The run id is made by the gateway; tenant and roles come from the key.
 */
export class CreateRunBody extends PickType(StartRun, [
  'agent',
  'input',
  'mode',
  'execution',
  'metadata',
] as const) {
  @ApiProperty({ example: 'support-agent' }) override agent!: string;
  @ApiProperty({ example: 'Where is order 1042?', maxLength: 100_000 }) override input!: string;
  @ApiPropertyOptional({ enum: Object.values(RunMode), default: 'live' }) override mode?: RunMode;
  @ApiPropertyOptional({
    enum: Object.values(RunExecution),
    default: 'sync',
    description:
      "`async` for a run nobody waits on (a batch job, a run that waits for people): the agent's `asyncTimeoutMs` (30 min by default) applies instead of `timeoutMs` (90 s).",
  })
  override execution?: RunExecution;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  override metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      "The end user the run acts for; the key's subject by default. Only an operator or admin key may name another user.",
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  userId?: string;
}

export class CancelRunBody extends PickType(CancelRun, ['reason'] as const) {
  @ApiPropertyOptional({ maxLength: 1000, example: 'the customer called back' })
  override reason?: string;
}

export class RunParams {
  @ApiProperty({ example: 'run_01JDQ7ZK3V9W2M4N6P8R0T2V4X' })
  @Matches(RUN_ID_PATTERN, { message: 'runId must be "run_" and a subject-safe id' })
  runId!: string;
}

/** `GET /v1/runs` query: the `RunListQuery` of the contract, less the tenant (the key's). */
export class RunListParams extends PageParams {
  @ApiPropertyOptional({ description: "Only this user's runs (a user key sees only its own)." })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  userId?: string;

  @ApiPropertyOptional({ example: 'support-agent' })
  @IsOptional()
  @Matches(AGENT_NAME_PATTERN, { message: 'agent must be a lower-case agent name' })
  agent?: string;

  @ApiPropertyOptional({ example: 'rel_3f2a9c0d1e4b5a68' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  release?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatusName;

  @ApiPropertyOptional({ enum: Object.values(Outcome) })
  @IsOptional()
  @IsIn(Object.values(Outcome))
  outcome?: Outcome;

  @ApiPropertyOptional({
    example: 'issue_refund',
    description: 'Only runs that called (or asked to call) this tool.',
  })
  @IsOptional()
  @Matches(TOOL_NAME_PATTERN, { message: 'tool must be a tool name as agents declare it' })
  tool?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Runs created at or after this time.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Runs created before this time.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class EventStreamParams {
  @ApiPropertyOptional({
    description:
      'Resume after this event (the `id` of the last event received), for clients that cannot send the `Last-Event-ID` header.',
  })
  @IsOptional()
  @Matches(/^[0-9]{1,15}$/, { message: 'lastEventId must be the id of an event' })
  lastEventId?: string;
}

// The classes below document the answers in OpenAPI; `implements` keeps them in step with the contract.

export class CreatedRunDoc {
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
  @ApiProperty({ description: 'True when the Idempotency-Key had already started this run.' })
  replayed!: boolean;
}

export class CancelRequestedDoc {
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: ['cancelling'] }) status!: 'cancelling';
}

export class RunViewDoc implements RunView {
  @ApiProperty() tenantId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty({ type: String, nullable: true }) agent!: string | null;
  @ApiProperty({ type: String, nullable: true }) release!: string | null;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) mode!: string | null;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatusName;
  @ApiProperty({ enum: Object.values(Outcome), nullable: true }) outcome!: Outcome | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'For the end user.' })
  message!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The final answer.' })
  output?: string | null;
  @ApiProperty() steps!: number;
  @ApiProperty() toolCalls!: number;
  @ApiProperty() inputTokens!: number;
  @ApiProperty() outputTokens!: number;
  @ApiProperty() costUsd!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) createdAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
  @ApiProperty() eventCount!: number;
}

export class RunPageDoc implements RunPage {
  @ApiProperty({ type: [RunViewDoc] }) items!: RunViewDoc[];
  @ApiPropertyOptional() nextCursor?: string;
}

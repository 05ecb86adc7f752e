import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { REASON_PATTERN, Tier } from '../vocabulary';

const TIERS = Object.values(Tier);

export class ToolRequested {
  @IsString() callId!: string;
  @IsString() tool!: string;
  @IsIn(TIERS) tier!: Tier;
  /** Arguments as proposed, redacted. */
  @IsObject() args!: Record<string, unknown>;
  /** The model turn that proposed the call. */
  @IsInt() @Min(1) step!: number;
  /** Something in `args` was redacted: the log does not hold the values the tool needs. */
  @IsOptional() @IsBoolean() redacted?: boolean;
  /** What the permission matrix said: `ask` parks the call for a human (tier 2 always asks). */
  @IsOptional() @IsIn(['allow', 'ask']) permission?: 'allow' | 'ask';
  /** The permission rule that decided. */
  @IsOptional() @IsString() rule?: string;
  /** The autonomy the call ran under, when not 0 (see `AgentSpec.autonomy`). */
  @IsOptional() @IsIn([1, 2, 3]) autonomy?: 1 | 2 | 3;
}

/**
 * Autonomy 3: the call is a draft for a human to carry out, never made. The model is told so;
 * the approval queue holds the draft (`draftId`) for a person to act on.
 */
export class ToolDrafted {
  @IsString() draftId!: string;
  @IsString() callId!: string;
  @IsString() tool!: string;
  @IsIn(TIERS) tier!: Tier;
  /** Redacted, like `tool.requested`'s. */
  @IsObject() args!: Record<string, unknown>;
  /** The user the run acts for, and the agent: what the person carrying it out needs to know. */
  @IsString() requestedBy!: string;
  @IsString() agent!: string;
}

export class ToolDenied {
  @IsString() callId!: string;
  @IsString() tool!: string;
  @Matches(REASON_PATTERN) reason!: string;
  @IsString() message!: string;
  /** The permission rule or switch that fired, when one did. */
  @IsOptional() @IsString() rule?: string;
}

export class ToolStarted {
  @IsString() callId!: string;
  @IsString() tool!: string;
  @IsInt() @Min(1) attempt!: number;
  /** `<runId>:<callId>`, handed to the tool. */
  @IsString() idempotencyKey!: string;
  /** ISO time after which an unanswered call has an unknown outcome. */
  @IsString() deadline!: string;
  @IsBoolean() dryRun!: boolean;
}

/** What the injection rules made of a tool result (see `guardrail.triggered` for each rule). */
export class ToolResultGuardrail {
  /**
   * `flag`: the model sees the result marked as suspect; `block`: it sees a notice instead;
   * `escalate`: the run is handed to a human.
   */
  @IsIn(['flag', 'block', 'escalate']) action!: 'flag' | 'block' | 'escalate';
  @IsArray() @ArrayMinSize(1) @IsString({ each: true }) rules!: string[];
}

export class ToolCompleted {
  @IsString() callId!: string;
  @IsString() tool!: string;
  /** The tool's result (redacted), any JSON value. */
  @IsDefined() result!: unknown;
  @IsNumber() @Min(0) latencyMs!: number;
  @IsBoolean() dryRun!: boolean;
  /** Tries it took (retries happen only for idempotent tools). */
  @IsOptional() @IsInt() @Min(1) attempts?: number;
  /** Present when the result carries what looks like injected instructions. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ToolResultGuardrail)
  guardrail?: ToolResultGuardrail;
  /** Dollars, the tool's price per call from the price table; present for tools with a price. */
  @IsOptional() @IsNumber() @Min(0) costUsd?: number;
  /** The budget reservation this call settles. */
  @IsOptional() @IsString() reservationId?: string;
}

export class ToolFailed {
  @IsString() callId!: string;
  @IsString() tool!: string;
  @Matches(REASON_PATTERN) reason!: string;
  @IsString() error!: string;
  @IsBoolean() retryable!: boolean;
  @IsOptional() @IsNumber() @Min(0) latencyMs?: number;
  @IsOptional() @IsInt() @Min(1) attempts?: number;
}

export const GUARDRAIL_STAGES = ['input', 'output', 'tool_args', 'tool_result'] as const;
export type GuardrailStage = (typeof GUARDRAIL_STAGES)[number];
export const GUARDRAIL_ACTIONS = ['block', 'redact', 'escalate', 'refuse', 'flag'] as const;
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number];

export class GuardrailTriggered {
  @IsString() ruleId!: string;
  /** Where the check ran. */
  @IsIn(GUARDRAIL_STAGES) stage!: GuardrailStage;
  /** What it did: `flag` marks untrusted text and lets it through, `refuse` answers politely without the model. */
  @IsIn(GUARDRAIL_ACTIONS) action!: GuardrailAction;
  @IsOptional() @IsString() callId?: string;
  @IsOptional() @IsString() detail?: string;
}

import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';

export class ModelRequested {
  /** 1-based model turn within the run. */
  @IsInt() @Min(1) step!: number;
  /** 1-based attempt of that turn (retries and fallbacks increase it). */
  @IsInt() @Min(1) attempt!: number;
  @IsString() provider!: string;
  @IsString() model!: string;
}

export class TokenUsage {
  @IsInt() @Min(0) inputTokens!: number;
  @IsInt() @Min(0) outputTokens!: number;
  @IsInt() @Min(0) cachedInputTokens!: number;
  @IsInt() @Min(0) reasoningTokens!: number;
}

export class ProposedToolCall {
  /** Unique within the run; every later `tool.*` and `approval.*` event of the call carries it. */
  @IsString() callId!: string;
  @IsString() name!: string;
  @IsObject() args!: Record<string, unknown>;
}

export class ModelResponded {
  @IsInt() @Min(1) step!: number;
  /** The attempt of the turn that answered (its `model.requested`'s); absent in older logs. */
  @IsOptional() @IsInt() @Min(1) attempt?: number;
  /** The exact model id that answered. */
  @IsString() model!: string;
  @IsOptional() @IsString() text?: string;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProposedToolCall)
  toolCalls?: ProposedToolCall[];
  // IsObject: ValidateNested alone lets a missing value or an array through.
  @IsObject() @ValidateNested() @Type(() => TokenUsage) usage!: TokenUsage;
  /** Dollars, from the price table; 0 for models without a price. */
  @IsNumber() @Min(0) costUsd!: number;
  @IsNumber() @Min(0) latencyMs!: number;
  /** `stop`, `tool_calls`, `length`, `content_filter`, … as the provider reports it. */
  @IsString() finishReason!: string;
  /** The budget reservation this call settles (absent when no reservation was needed). */
  @IsOptional() @IsString() reservationId?: string;
}

export class ModelFailed {
  @IsInt() @Min(1) step!: number;
  @IsInt() @Min(1) attempt!: number;
  @IsString() model!: string;
  @IsString() error!: string;
  @IsBoolean() retryable!: boolean;
  /** The budget reservation this failed call releases. */
  @IsOptional() @IsString() reservationId?: string;
}

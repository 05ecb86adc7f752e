import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** The model providers Tether speaks to. */
export const ModelProviderName = {
  OpenAI: 'openai',
  OpenAICompatible: 'openai-compatible',
  Anthropic: 'anthropic',
  Scripted: 'scripted',
} as const;
export type ModelProviderName = (typeof ModelProviderName)[keyof typeof ModelProviderName];

export class ScriptedToolCall {
  @IsString() name!: string;
  @IsOptional() @IsObject() args?: Record<string, unknown>;
}

export class ScriptedUsage {
  @IsOptional() @IsInt() @Min(0) inputTokens?: number;
  @IsOptional() @IsInt() @Min(0) outputTokens?: number;
  @IsOptional() @IsInt() @Min(0) cachedInputTokens?: number;
  @IsOptional() @IsInt() @Min(0) reasoningTokens?: number;
}

/** One deterministic model turn of the `scripted` provider. */
export class ScriptedTurn {
  @IsOptional() @IsString() text?: string;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ScriptedToolCall)
  toolCalls?: ScriptedToolCall[];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ScriptedUsage) usage?: ScriptedUsage;
}

export class ModelPrice {
  /** Dollars per million input tokens. */
  @IsNumber() @Min(0) inputPerMTok!: number;
  /** Dollars per million output tokens. */
  @IsNumber() @Min(0) outputPerMTok!: number;
  @IsOptional() @IsNumber() @Min(0) cachedInputPerMTok?: number;
  @IsOptional() @IsNumber() @Min(0) reasoningPerMTok?: number;
}

/** A model as an agent (or one of its guardrails) names it: provider, pinned id, options. */
export class ModelSpec {
  @IsIn(Object.values(ModelProviderName)) provider!: ModelProviderName;
  /** A pinned model id (dated or versioned). */
  @IsString() @MaxLength(200) id!: string;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxOutputTokens?: number;
  /** For `openai-compatible`: the server's base URL. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) baseUrl?: string;
  /** Allow a floating alias id (e.g. `gpt-4o`); refused otherwise. */
  @IsOptional() @IsBoolean() allowAlias?: boolean;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ModelPrice) price?: ModelPrice;
  /** For `scripted`: the turns, in order. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ScriptedTurn)
  script?: ScriptedTurn[];
}

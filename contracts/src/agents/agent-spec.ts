import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AGENT_NAME_PATTERN, TOOL_NAME_PATTERN, Tier } from '../vocabulary';
import { GuardrailsSpec } from './guardrails-spec';
import { ModelSpec } from './model-spec';

/**
 * The agent YAML format (agents/*.yaml). Part of the public contract: users write these files.
 * Field defaults are applied by the loader (libs/agents), not here.
 */

export class HttpToolSpec {
  /** May hold `{arg}` placeholders, filled from the call's arguments (URL-encoded). */
  @IsUrl({ require_tld: false, require_protocol: true }) url!: string;
  /** `GET` and `DELETE` send the arguments as the query string, the others as a JSON body. */
  @IsOptional() @IsIn(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) method?: string;
  /** Header name → name of a secret (never the secret itself). */
  @IsOptional() @IsObject() headers?: Record<string, string>;
}

/** A tool answered by any NATS service: request/reply on `subject`. */
export class NatsToolSpec {
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
    message: 'subject must be dot-separated tokens without wildcards',
  })
  subject!: string;
}

/**
 * An MCP server whose tools the agent may use: `command` (+ `args`) for stdio, or `url` for
 * streamable HTTP. `env` and `headers` map a name to the name of a secret.
 */
export class McpServerSpec {
  @Matches(/^[a-z][a-z0-9-]{0,63}$/) name!: string;
  @IsOptional() @IsString() command?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) args?: string[];
  @IsOptional() @IsObject() env?: Record<string, string>;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) url?: string;
  @IsOptional() @IsObject() headers?: Record<string, string>;
}

/** The autonomy a tool or agent runs with (see `Autonomy`). */
export const AUTONOMY_LEVELS = [0, 1, 2, 3] as const;

/** How a call that waits for a human is asked about; set on the agent, overridden per tool. */
export class ApprovalPolicySpec {
  /** Distinct approvers needed (default 1); one denial is enough to deny. */
  @IsOptional() @IsInt() @Min(1) @Max(10) quorum?: number;
  /** How long a request stays open, in ms (default 24 h). */
  @IsOptional() @IsInt() @Min(1000) @Max(30 * 24 * 3600 * 1000) ttlMs?: number;
  /** What expiry does (default `deny`): deny the call, or hand the whole run to a human. */
  @IsOptional() @IsIn(['deny', 'escalate']) onExpiry?: 'deny' | 'escalate';
}

/** Autonomy 1: the share of actions (tier 1 and 2 calls made) sampled for review after the fact. */
export class ReviewSpec {
  @IsNumber() @Min(0) @Max(1) share!: number;
}

export class ToolSpec {
  @Matches(TOOL_NAME_PATTERN) name!: string;
  /** Required, except for an MCP tool, where an unmapped tool is tier 2 (set by the loader). */
  @IsIn(Object.values(Tier)) tier!: Tier;
  @IsOptional() @IsString() description?: string;
  /** Safe to retry: repeating the call has no further effect. */
  @IsOptional() @IsBoolean() idempotent?: boolean;
  /** Calls per user: `N/sec`, `N/min` or `N/hour`. */
  @IsOptional() @Matches(/^\d+\/(sec|min|hour)$/) rateLimit?: string;
  /** Calls per tenant, all its users together: `N/sec`, `N/min` or `N/hour`. */
  @IsOptional() @Matches(/^\d+\/(sec|min|hour)$/) tenantRateLimit?: string;
  @IsOptional() @IsInt() @Min(1) timeoutMs?: number;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HttpToolSpec) http?: HttpToolSpec;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => NatsToolSpec) nats?: NatsToolSpec;
  /** The name of one of the agent's `mcpServers` serving this tool. */
  @IsOptional() @IsString() mcp?: string;
  /** JSON Schema of the arguments. */
  @IsOptional() @IsObject() input?: Record<string, unknown>;
  /** Argument name → the highest number it may carry (`{ amount: 500 }`), enforced before the call. */
  @IsOptional() @IsObject() caps?: Record<string, number>;
  /**
   * What the call acts on, for the permission matrix: a template filled from the arguments
   * (`order:{orderId}`). Without one the resource is `*`.
   */
  @IsOptional() @IsString() @MaxLength(200) resource?: string;
  /** Overrides the agent's autonomy for this tool (then it applies to a read-only tool too). */
  @IsOptional() @IsIn(AUTONOMY_LEVELS) autonomy?: 0 | 1 | 2 | 3;
  /** Shown to approvers; default by tier (0 low, 1 medium, 2 high). */
  @IsOptional() @IsIn(['low', 'medium', 'high']) risk?: 'low' | 'medium' | 'high';
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ApprovalPolicySpec)
  approval?: ApprovalPolicySpec;
}

export class LimitsSpec {
  @IsOptional() @IsInt() @Min(1) @Max(1000) maxSteps?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) maxToolCalls?: number;
  @IsOptional() @IsInt() @Min(1) maxTokens?: number;
  @IsOptional() @IsNumber() @Min(0) maxCostUsd?: number;
  /** Wall-clock limit of a synchronous run: someone waits for the answer (default 90 s). */
  @IsOptional() @IsInt() @Min(1) timeoutMs?: number;
  /** Wall-clock limit of an asynchronous run (`execution: async`): nobody waits on it (default 30 min). */
  @IsOptional() @IsInt() @Min(1) asyncTimeoutMs?: number;
  /** Longest accepted `run.start` input, in characters. */
  @IsOptional() @IsInt() @Min(1) maxInputChars?: number;
}

export class PermissionRule {
  @IsString() role!: string;
  /** Glob over tool names. */
  @IsString() tool!: string;
  @IsOptional() @IsString() resource?: string;
  @IsIn(['allow', 'deny', 'ask']) effect!: 'allow' | 'deny' | 'ask';
}

export class AgentSpec {
  @Matches(AGENT_NAME_PATTERN, { message: 'name must be lower-case letters, digits and "-"' })
  name!: string;
  @IsOptional() @IsString() description?: string;
  // IsObject on every single nested field: ValidateNested alone lets a missing value or an array through.
  @IsObject() @ValidateNested() @Type(() => ModelSpec) model!: ModelSpec;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ModelSpec)
  fallbacks?: ModelSpec[];
  @IsString() @MaxLength(100_000) instructions!: string;
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => ToolSpec)
  tools!: ToolSpec[];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => LimitsSpec) limits?: LimitsSpec;
  /**
   * What the agent may do without a human, for calls of tier 1 and 2 (a tool can override it):
   * 0 act; 1 act, and sample `review.share` of the actions for review after the fact;
   * 2 ask before acting; 3 draft only — the call is proposed to a human and never made.
   * Tier 2 calls always ask, whatever the level (3 still only drafts them).
   */
  @IsOptional() @IsIn(AUTONOMY_LEVELS) autonomy?: 0 | 1 | 2 | 3;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ReviewSpec) review?: ReviewSpec;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ApprovalPolicySpec)
  approval?: ApprovalPolicySpec;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PermissionRule)
  permissions?: PermissionRule[];
  /** Checks on input, output, tool arguments and tool results; absent means the safe defaults. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailsSpec)
  guardrails?: GuardrailsSpec;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => McpServerSpec)
  mcpServers?: McpServerSpec[];
}

/** Limits with every default applied. */
export type ResolvedLimits = Required<Omit<LimitsSpec, 'maxCostUsd'>> &
  Pick<LimitsSpec, 'maxCostUsd'>;

/**
 * An agent as loaded: its spec with defaults applied and the content hash of the whole bundle.
 * Every run records the release it executes.
 */
export interface AgentRelease {
  name: string;
  /** `rel_` + the first 16 hex characters of the SHA-256 of the canonical spec. */
  release: string;
  spec: AgentSpec;
  limits: ResolvedLimits;
}

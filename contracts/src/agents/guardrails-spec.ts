import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { GuardrailAction } from '../events/tool.events';
import { ModelSpec } from './model-spec';

/**
 * The `guardrails` section of the agent YAML: checks on what goes into and comes out of the model
 * and on what tool arguments and tool results carry (`@tether/guardrails` compiles and runs them).
 * Every field is optional and an absent section is safe: the prompt-injection rule set blocks on
 * input and flags tool results, output is redacted, built-in destructive tool-argument patterns
 * are blocked. Regex fields are JavaScript regular expressions; a leading `(?i)`, `(?s)` or `(?m)`
 * (or a combination such as `(?is)`) is read as the matching flag, so patterns written for other
 * engines still load. Regexes and the schema are checked when the agent loads, not here.
 */

/** What a prompt-injection match does. */
export const InjectionAction = {
  /** Stop: the text does not reach the model. */
  Block: 'block',
  /** Hand the run to a human. */
  Escalate: 'escalate',
  /** Record it and let the text through, marked as untrusted. */
  Flag: 'flag',
} as const satisfies Record<string, GuardrailAction>;
export type InjectionAction = (typeof InjectionAction)[keyof typeof InjectionAction];

/** Id of a rule (built-in or configured): lower-case, digits, `.`, `_`, `-`. */
export const GUARDRAIL_RULE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The maintained prompt-injection rule set, on one stage. */
export class GuardrailInjectionSpec {
  /** `false` turns the rule set off on this stage. Default true. */
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** Default `block` on input, `flag` on tool results. */
  @IsOptional() @IsIn(Object.values(InjectionAction)) action?: InjectionAction;
  /**
   * Rule ids to skip (`inj.encoded`), for a known false positive on this agent's traffic. An id the
   * rule set does not have is refused when the agent loads, so a typo does not go unnoticed.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @Matches(GUARDRAIL_RULE_ID_PATTERN, { each: true })
  except?: string[];
}

/**
 * What the agent is for. An input that mentions none of the topics is answered with `refusal`
 * without calling the model (greetings and thanks alone are let through).
 */
export class GuardrailScopeSpec {
  /**
   * Words or short phrases (`order`, `refund`, `credit card`), matched case-insensitively as whole
   * words with their usual endings (`order` also matches `orders`, `ordered`).
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MinLength(2, { each: true })
  @MaxLength(100, { each: true })
  topics!: string[];
  /** The polite answer to an out-of-scope input. Default: "I can only help with <topics>." */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(1000) refusal?: string;
}

/**
 * A second opinion on prompt injection from a model, asked before the run starts (after the rule
 * set, which runs first and costs nothing). The model gets the input as data and answers with a
 * score; a small, fast model is the usual choice.
 */
export class GuardrailClassifierSpec {
  @IsObject() @ValidateNested() @Type(() => ModelSpec) model!: ModelSpec;
  /** What a score at or above `minScore` does. Default `block`. */
  @IsOptional() @IsIn(Object.values(InjectionAction)) action?: InjectionAction;
  /** 0–1. Default 0.5. */
  @IsOptional() @IsNumber() @Min(0) @Max(1) minScore?: number;
  /**
   * When the classifier cannot answer (down, slow, nonsense): `allow` lets the input through on
   * the rule set's word and records a flag; `block` stops the run. Default `allow`.
   */
  @IsOptional() @IsIn(['allow', 'block']) onError?: 'allow' | 'block';
  /** Milliseconds before the classifier counts as not answering. Default 5000. */
  @IsOptional() @IsInt() @Min(100) @Max(60_000) timeoutMs?: number;
}

export class GuardrailInputSpec {
  /** Longest accepted input, in characters (UTF-16 code units); a longer one is blocked. */
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) maxChars?: number;
  /**
   * A regex the whole input must match (write the anchors: `^…$`), or it is blocked. Matched
   * against the input as sent, not normalised.
   */
  @IsOptional() @IsString() @MaxLength(2000) format?: string;
  /** Default: on, action `block`. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailInjectionSpec)
  injection?: GuardrailInjectionSpec;
  /** Default: none (the rule set alone judges). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailClassifierSpec)
  classifier?: GuardrailClassifierSpec;
  /** Default: none (every topic is in scope). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailScopeSpec)
  scope?: GuardrailScopeSpec;
  /**
   * Phrases that make a request policy-ambiguous (`lawyer`, `legal action`): the run escalates to a
   * human instead of answering. Matched like topics, as whole words, case-insensitively.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MinLength(2, { each: true })
  @MaxLength(200, { each: true })
  escalateOn?: string[];
}

export class GuardrailOutputSpec {
  /** Replace personal data and secrets in the answer (see `@tether/redaction`). Default true. */
  @IsOptional() @IsBoolean() redact?: boolean;
  /**
   * Longest answer, in characters; a longer one is cut (recorded as `redact`). With `schema` set, a
   * longer answer is blocked instead: a cut JSON document is not an answer.
   */
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) maxChars?: number;
  /**
   * A JSON Schema (draft-07 or 2019-09 keywords) the answer must satisfy: the answer is parsed as
   * JSON and blocked if it is not JSON or does not match. `format` is not checked.
   */
  @IsOptional() @IsObject() schema?: Record<string, unknown>;
}

/** An extra pattern that blocks a tool call when any string in its arguments matches. */
export class GuardrailBlockedPattern {
  /** Reported as the trigger's `ruleId`; must not be a built-in rule's id. */
  @Matches(GUARDRAIL_RULE_ID_PATTERN) id!: string;
  /**
   * Matched against each string argument after NFKC normalisation, with invisible characters
   * removed and white space collapsed (case is kept: add `(?i)` for case-insensitive).
   */
  @IsString() @MinLength(1) @MaxLength(2000) pattern!: string;
  /** Tool names it applies to; `*` matches any run of characters (`db_*`). Default: every tool. */
  @IsOptional() @IsArray() @ArrayMaxSize(256) @IsString({ each: true }) tools?: string[];
}

export class GuardrailToolArgsSpec {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => GuardrailBlockedPattern)
  blocked?: GuardrailBlockedPattern[];
  /**
   * The built-in patterns: destructive SQL (`DROP TABLE`, `TRUNCATE`, `DELETE`/`UPDATE` without
   * `WHERE`), mass deletes (`rm -rf /`, a wildcard id given to a delete-like tool), destructive or
   * chained shell commands. Default true.
   */
  @IsOptional() @IsBoolean() builtin?: boolean;
  /** Built-in rule ids to skip (`shell.chaining` for an agent whose tool is a shell). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @Matches(GUARDRAIL_RULE_ID_PATTERN, { each: true })
  except?: string[];
}

export class GuardrailToolResultsSpec {
  /** Injections hidden in tool results and retrieved documents. Default: on, action `flag`. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailInjectionSpec)
  injection?: GuardrailInjectionSpec;
}

export class GuardrailsSpec {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailInputSpec)
  input?: GuardrailInputSpec;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailOutputSpec)
  output?: GuardrailOutputSpec;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailToolArgsSpec)
  toolArgs?: GuardrailToolArgsSpec;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardrailToolResultsSpec)
  toolResults?: GuardrailToolResultsSpec;
  /**
   * An answer that declares a confidence (0–1) below this escalates to a human. Default: none (a
   * declared confidence is not checked).
   */
  @IsOptional() @IsNumber() @Min(0) @Max(1) minConfidence?: number;
}

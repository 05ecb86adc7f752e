import Ajv, { type ValidateFunction } from 'ajv';
import {
  GuardrailsSpec,
  InjectionAction,
  parseAs,
  type ModelSpec,
  type GuardrailInjectionSpec,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import {
  INJECTION_RULES,
  INJECTION_RULESET_VERSION,
  INJECTION_RULE_IDS,
  type InjectionRule,
} from './injection.rules';
import { wordsOf, stem, type Phrase } from './phrase.matcher';
import { scanText } from './scan-text';
import { TOOL_ARG_RULES, TOOL_ARG_RULE_IDS, type ToolArgRule } from './tool-args.rules';
import { compileUserPattern } from './user-pattern';

export interface InjectionSettings {
  readonly action: InjectionAction;
  readonly rules: readonly InjectionRule[];
}

export interface CompiledBlockedPattern {
  readonly id: string;
  readonly pattern: RegExp;
  /** Tool-name globs as anchored regexes; undefined for every tool. */
  readonly tools?: readonly RegExp[];
}

/**
 * An agent's guardrails, ready to run: regexes, phrases and the output schema compiled once per
 * release. Immutable; share it between runs.
 */
export interface CompiledGuardrails {
  readonly input: {
    readonly maxChars?: number;
    readonly format?: RegExp;
    /** Undefined when switched off. */
    readonly injection?: InjectionSettings;
    readonly scope?: { readonly topics: readonly Phrase[]; readonly refusal: string };
    /** Undefined when the agent asks no classifier. */
    readonly classifier?: {
      readonly model: ModelSpec;
      readonly action: InjectionAction;
      readonly minScore: number;
      readonly onError: 'allow' | 'block';
      readonly timeoutMs: number;
    };
    readonly escalateOn: readonly Phrase[];
  };
  readonly output: {
    readonly redact: boolean;
    readonly maxChars?: number;
    readonly schema?: ValidateFunction;
  };
  readonly toolArgs: {
    readonly builtin: readonly ToolArgRule[];
    readonly blocked: readonly CompiledBlockedPattern[];
  };
  readonly toolResults: { readonly injection?: InjectionSettings };
  readonly minConfidence?: number;
  /** `INJECTION_RULESET_VERSION` of the rules compiled in. */
  readonly rulesetVersion: string;
}

/**
 * Compiles an agent's `guardrails` section. Absent (or empty) is safe: injection rules block on
 * input and flag tool results, output is redacted, built-in tool-argument patterns block.
 *
 * @throws ValidationError naming each bad field: a regex that does not compile, a JSON schema
 *   ajv refuses, an unknown rule id in `except`, a blocked pattern that matches the empty string.
 */
export function compileGuardrails(spec: GuardrailsSpec | undefined): CompiledGuardrails {
  const problems: string[] = [];
  if (spec !== undefined) {
    const parsed = parseAs(GuardrailsSpec, spec);
    if (!parsed.ok) {
      throw new ValidationError(
        'invalid guardrails',
        parsed.problems.map((p) => `guardrails.${p}`),
      );
    }
  }
  const input = spec?.input;
  const output = spec?.output;
  const toolArgs = spec?.toolArgs;
  const compiled: CompiledGuardrails = {
    input: {
      maxChars: input?.maxChars,
      format:
        input?.format === undefined
          ? undefined
          : compileUserPattern(input.format, 'guardrails.input.format', problems),
      injection: injectionSettings(
        input?.injection,
        InjectionAction.Block,
        'guardrails.input.injection',
        problems,
      ),
      scope: input?.scope && {
        topics: phrases(input.scope.topics, true, 'guardrails.input.scope.topics', problems),
        refusal: input.scope.refusal ?? defaultRefusal(input.scope.topics),
      },
      escalateOn: phrases(input?.escalateOn ?? [], false, 'guardrails.input.escalateOn', problems),
      classifier: input?.classifier && {
        model: input.classifier.model,
        action: input.classifier.action ?? InjectionAction.Block,
        minScore: input.classifier.minScore ?? 0.5,
        onError: input.classifier.onError ?? 'allow',
        timeoutMs: input.classifier.timeoutMs ?? 5000,
      },
    },
    output: {
      redact: output?.redact ?? true,
      maxChars: output?.maxChars,
      schema: output?.schema === undefined ? undefined : compileSchema(output.schema, problems),
    },
    toolArgs: {
      builtin:
        toolArgs?.builtin === false
          ? []
          : enabled(TOOL_ARG_RULES, toolArgs?.except, 'guardrails.toolArgs.except', problems),
      blocked: (toolArgs?.blocked ?? []).flatMap((b, i) => {
        const field = `guardrails.toolArgs.blocked[${i}]`;
        if (TOOL_ARG_RULE_IDS.includes(b.id) || INJECTION_RULE_IDS.includes(b.id)) {
          problems.push(`${field}.id "${b.id}" is the id of a built-in rule`);
        }
        if (toolArgs?.blocked?.findIndex((other) => other.id === b.id) !== i) {
          problems.push(`${field}.id "${b.id}" is used twice`);
        }
        const pattern = compileUserPattern(b.pattern, `${field}.pattern`, problems);
        if (pattern?.test('')) {
          problems.push(`${field}.pattern matches the empty string, so it would block every call`);
        }
        if (!pattern) return [];
        return [{ id: b.id, pattern, tools: b.tools?.map(globToRegExp) }];
      }),
    },
    toolResults: {
      injection: injectionSettings(
        spec?.toolResults?.injection,
        InjectionAction.Flag,
        'guardrails.toolResults.injection',
        problems,
      ),
    },
    minConfidence: spec?.minConfidence,
    rulesetVersion: INJECTION_RULESET_VERSION,
  };
  if (problems.length) throw new ValidationError('invalid guardrails', problems);
  return deepFreeze(compiled);
}

function injectionSettings(
  spec: GuardrailInjectionSpec | undefined,
  defaultAction: InjectionAction,
  field: string,
  problems: string[],
): InjectionSettings | undefined {
  if (spec?.enabled === false) return undefined;
  return {
    action: spec?.action ?? defaultAction,
    rules: enabled(INJECTION_RULES, spec?.except, `${field}.except`, problems),
  };
}

/** `rules` without those named in `except`; a name that is not a rule's id is a problem. */
function enabled<R extends { id: string }>(
  rules: readonly R[],
  except: readonly string[] | undefined,
  field: string,
  problems: string[],
): R[] {
  const ids = new Set(rules.map((r) => r.id));
  for (const id of except ?? []) {
    if (!ids.has(id))
      problems.push(`${field}: no built-in rule "${id}" (rules: ${[...ids].join(', ')})`);
  }
  return rules.filter((r) => !except?.includes(r.id));
}

function phrases(
  texts: readonly string[],
  prefix: boolean,
  field: string,
  problems: string[],
): Phrase[] {
  return texts.flatMap((text, i) => {
    const words = wordsOf(scanText(text).folded);
    if (words.length === 0) {
      problems.push(`${field}[${i}] has no letters or digits`);
      return [];
    }
    return [{ text, words: prefix ? words.map(stem) : words, prefix }];
  });
}

function defaultRefusal(topics: readonly string[]): string {
  const list =
    topics.length === 1
      ? topics[0]
      : `${topics.slice(0, -1).join(', ')} or ${topics[topics.length - 1]}`;
  return `I can only help with questions about ${list}.`;
}

function compileSchema(
  schema: Record<string, unknown>,
  problems: string[],
): ValidateFunction | undefined {
  // A fresh instance per agent: two agents' schemas may share an `$id`. Strict, so a misspelt
  // keyword (`requried`) is an error at load, not a schema that accepts everything. Formats are
  // annotations here (no ajv-formats), so `format: email` loads and is not enforced.
  const ajv = new Ajv({
    strict: true,
    strictRequired: false,
    strictTypes: false,
    strictTuples: false,
    validateFormats: false,
    allErrors: false,
    logger: false,
  });
  try {
    return ajv.compile(schema);
  } catch (err) {
    problems.push(
      `guardrails.output.schema is not a valid JSON schema (${(err as Error).message})`,
    );
    return undefined;
  }
}

const REGEX_SPECIAL = /[.+?^${}()|[\]\\]/g;

/** `db_*` → /^db_.*$/: the glob syntax of tool names elsewhere in the agent format. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(REGEX_SPECIAL, '\\$&').replace(/\*/g, '.*')}$`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  // Compiled regexes and the ajv function stay as they are: freezing a RegExp breaks lastIndex.
  if (value instanceof RegExp || typeof value === 'function') return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

const byAgent = new WeakMap<object, CompiledGuardrails>();
let defaults: CompiledGuardrails | undefined;

/**
 * An agent's guardrails, compiled the first time they are asked for and then shared for as long
 * as the agent (its loaded spec object) lives: once per release, not once per run. Without an
 * agent, the safe defaults.
 */
export function guardrailsOf(agent?: { guardrails?: GuardrailsSpec }): CompiledGuardrails {
  if (agent === undefined) return (defaults ??= compileGuardrails(undefined));
  let compiled = byAgent.get(agent);
  if (compiled === undefined) {
    compiled = compileGuardrails(agent.guardrails);
    byAgent.set(agent, compiled);
  }
  return compiled;
}

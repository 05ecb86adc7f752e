import { AlertKind, LatencyOf, ReasonCode } from '@tether/contracts';

/** Whether a rule looks at each release of an agent on its own, or at the agent as a whole. */
export const AlertGroupBy = { Agent: 'agent', Release: 'release' } as const;
export type AlertGroupBy = (typeof AlertGroupBy)[keyof typeof AlertGroupBy];

interface RuleBase {
  name: string;
  /** The window measured, ending at the evaluation; also how often a rule may fire again for one group. */
  windowMs: number;
  by: AlertGroupBy;
  /** Only these tenants; all when absent. */
  tenants?: readonly string[];
  /** Only these agents; all when absent. */
  agents?: readonly string[];
}

export interface ToolErrorRateRule extends RuleBase {
  kind: typeof AlertKind.ToolErrorRate;
  /** Fires above this share (0..1) of failed calls among finished ones. */
  threshold: number;
  /** Finished calls needed before the rate means anything. */
  minSample: number;
}

export interface AbortRateRule extends RuleBase {
  kind: typeof AlertKind.AbortRate;
  /** Fires above this share (0..1) of aborted runs among ended ones. */
  threshold: number;
  /** Ended runs needed before the rate means anything. */
  minSample: number;
  /** Only aborts with these reasons count (`loop_detected`…); every abort when absent. */
  reasons?: readonly string[];
}

export interface LatencyP99Rule extends RuleBase {
  kind: typeof AlertKind.LatencyP99;
  of: LatencyOf;
  /** Fires when the p99 is above this many ms. */
  thresholdMs: number;
  /** Model calls or runs needed before a p99 means anything. */
  minSample: number;
}

export interface CostSpikeRule extends RuleBase {
  kind: typeof AlertKind.CostSpike;
  /** Fires above this many times the trailing average spend of a window; null: no relative limit. */
  multiple: number | null;
  /** The relative limit is never below this many dollars (a quiet agent's first dollar is not news). */
  minUsd: number;
  /** Fires above this many dollars in a window, whatever the history; null: no absolute limit. */
  maxUsd: number | null;
  /** The trailing period the average is taken over (whole hours before the current one). */
  baselineMs: number;
}

export type AlertRule = ToolErrorRateRule | AbortRateRule | LatencyP99Rule | CostSpikeRule;

type RuleOf<K extends AlertKind> = Extract<AlertRule, { kind: K }>;
type Fields<K extends AlertKind> = Omit<RuleOf<K>, 'name' | 'kind'>;

const MINUTE = 60_000;
export const HOUR_MS = 60 * MINUTE;

/** What a new rule of each kind starts from; the built-in rules are these with a name. */
export const KIND_DEFAULTS: { [K in AlertKind]: Fields<K> } = {
  tool_error_rate: { windowMs: 5 * MINUTE, by: 'release', threshold: 0.2, minSample: 20 },
  abort_rate: { windowMs: 5 * MINUTE, by: 'release', threshold: 0.1, minSample: 20 },
  latency_p99: {
    windowMs: 5 * MINUTE,
    by: 'release',
    of: LatencyOf.ModelCall,
    thresholdMs: 30_000,
    minSample: 20,
  },
  // By agent: a new release has no history of its own, and what it costs more shows in its agent's.
  cost_spike: {
    windowMs: 15 * MINUTE,
    by: 'agent',
    multiple: 3,
    minUsd: 1,
    maxUsd: null,
    baselineMs: 24 * HOUR_MS,
  },
};

export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  { name: 'tool-error-rate', kind: 'tool_error_rate', ...KIND_DEFAULTS.tool_error_rate },
  { name: 'abort-rate', kind: 'abort_rate', ...KIND_DEFAULTS.abort_rate },
  {
    name: 'loop-detected',
    kind: 'abort_rate',
    ...KIND_DEFAULTS.abort_rate,
    threshold: 0.05,
    reasons: [ReasonCode.LoopDetected],
  },
  { name: 'model-latency-p99', kind: 'latency_p99', ...KIND_DEFAULTS.latency_p99 },
  { name: 'cost-spike', kind: 'cost_spike', ...KIND_DEFAULTS.cost_spike },
];

const COMMON_FIELDS = ['windowMs', 'by', 'tenants', 'agents'] as const;

/** The fields each kind takes besides its name, kind and `enabled`. */
export const FIELDS_OF: { [K in AlertKind]: readonly string[] } = {
  tool_error_rate: [...COMMON_FIELDS, 'threshold', 'minSample'],
  abort_rate: [...COMMON_FIELDS, 'threshold', 'minSample', 'reasons'],
  latency_p99: [...COMMON_FIELDS, 'of', 'thresholdMs', 'minSample'],
  cost_spike: [...COMMON_FIELDS, 'multiple', 'minUsd', 'maxUsd', 'baselineMs'],
};

type AnyFields = Fields<'tool_error_rate'> &
  Fields<'abort_rate'> &
  Fields<'latency_p99'> &
  Fields<'cost_spike'>;

/**
 * A rule as the alerts file gives it, each field already of the right type and range: a built-in
 * rule's name changes only the fields given, a new name is a new rule of `kind`.
 */
export type RuleOverride = {
  name: string;
  kind?: AlertKind;
  enabled?: boolean;
} & Partial<AnyFields>;

export type ResolvedRules = { ok: true; rules: AlertRule[] } | { ok: false; problems: string[] };

/**
 * The rules in force: the built-in ones (unless `keepDefaults` is false) with the overrides
 * applied, new rules added and disabled ones left out. Every problem is named, so an operator
 * fixes a file in one pass.
 */
export function resolveAlertRules(
  overrides: readonly RuleOverride[],
  keepDefaults = true,
  /** How problems name each override (its place in the file); `rules[i] (name)` by default. */
  labels: readonly string[] = overrides.map((o, i) => `rules[${i}] (${o.name})`),
): ResolvedRules {
  const problems: string[] = [];
  const rules = new Map<string, AlertRule>(
    keepDefaults ? DEFAULT_ALERT_RULES.map((r) => [r.name, r]) : [],
  );
  const seen = new Set<string>();
  overrides.forEach((o, i) => {
    const at = labels[i];
    if (seen.has(o.name)) problems.push(`${at}: the name is used twice`);
    seen.add(o.name);
    const base = rules.get(o.name);
    const kind = o.kind ?? base?.kind;
    if (!kind) return problems.push(`${at}: kind is required for a rule that is not built in`);
    if (base && o.kind && o.kind !== base.kind)
      return problems.push(
        `${at}: a built-in rule is a ${base.kind}; give a new rule a name of its own`,
      );
    const { name, enabled, kind: _kind, ...fields } = o;
    for (const field of Object.keys(fields))
      if (!FIELDS_OF[kind].includes(field))
        problems.push(`${at}: ${field} does not apply to ${kind}`);
    const rule = { name, kind, ...(base ?? KIND_DEFAULTS[kind]), ...fields } as AlertRule;
    problems.push(...ruleProblems(rule).map((p) => `${at}: ${p}`));
    if (enabled === false) rules.delete(name);
    else rules.set(name, rule);
  });
  return problems.length ? { ok: false, problems } : { ok: true, rules: [...rules.values()] };
}

/** What no single field shows: limits that only make sense together. */
function ruleProblems(rule: AlertRule): string[] {
  if (rule.kind !== 'cost_spike') return [];
  const problems: string[] = [];
  if (rule.multiple === null && rule.maxUsd === null)
    problems.push('a cost_spike needs a multiple, a maxUsd or both');
  if (rule.baselineMs % HOUR_MS !== 0 || rule.baselineMs <= rule.windowMs)
    problems.push('baselineMs must be whole hours, longer than windowMs');
  return problems;
}

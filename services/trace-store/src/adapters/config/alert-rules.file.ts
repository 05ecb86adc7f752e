import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  ALERT_RULE_NAME_PATTERN,
  AlertKind,
  LatencyOf,
  REASON_PATTERN,
  TOKEN_PATTERN,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import {
  AlertGroupBy,
  DEFAULT_ALERT_RULES,
  resolveAlertRules,
  type AlertRule,
  type RuleOverride,
} from '../../domain/alert-rules';

/** Checks one field's value; a problem text (without the field's name) or undefined. */
type Check = (v: unknown) => string | undefined;

const DAY_MS = 86_400_000;

const integer =
  (min: number, max: number): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `a whole number from ${min} to ${max}`;

const number =
  (ok: (n: number) => boolean, what: string): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && ok(v) ? undefined : what;

const orNull =
  (check: Check): Check =>
  (v) =>
    v === null ? undefined : check(v) && `${check(v)}, or null for none`;

const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.join(', ')}`;

const listOf =
  (pattern: RegExp, what: string): Check =>
  (v) =>
    Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && pattern.test(s))
      ? undefined
      : `a non-empty list of ${what}`;

const FIELDS: Record<string, Check> = {
  name: (v) =>
    typeof v === 'string' && ALERT_RULE_NAME_PATTERN.test(v)
      ? undefined
      : 'a name of lower-case letters, digits and "-", starting with a letter (up to 64)',
  kind: oneOf(Object.values(AlertKind)),
  enabled: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
  windowMs: integer(60_000, DAY_MS),
  by: oneOf(Object.values(AlertGroupBy)),
  tenants: listOf(TOKEN_PATTERN, 'tenant ids'),
  agents: listOf(/^\S{1,256}$/, 'agent names'),
  threshold: number((n) => n >= 0 && n < 1, 'a share from 0 up to (not including) 1, e.g. 0.2'),
  minSample: integer(1, 1_000_000),
  reasons: listOf(REASON_PATTERN, 'reason codes such as loop_detected'),
  of: oneOf(Object.values(LatencyOf)),
  thresholdMs: integer(1, DAY_MS),
  multiple: orNull(number((n) => n > 1, 'a number above 1')),
  minUsd: number((n) => n >= 0, 'dollars, 0 or more'),
  maxUsd: orNull(number((n) => n > 0, 'dollars, above 0')),
  baselineMs: integer(3_600_000, 30 * DAY_MS),
};

const TOP_LEVEL = ['defaults', 'rules'];

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The alert rules in force, given the alerts file as parsed YAML (or JSON):
 *
 * ```yaml
 * defaults: true                 # keep the built-in rules (the default); false: only these
 * rules:
 *   - name: tool-error-rate      # a built-in rule: only the fields given change
 *     threshold: 0.1
 *   - name: abort-rate
 *     enabled: false
 *   - name: checkout-duration    # a new rule: kind required, the kind's defaults for the rest
 *     kind: latency_p99
 *     of: run
 *     thresholdMs: 120000
 *     agents: [checkout]
 * ```
 * Throws a `ValidationError` naming every problem, so a bad file stops the service at boot.
 */
export function alertRulesOf(doc: unknown, source = 'the alerts file'): AlertRule[] {
  if (doc === null || doc === undefined) return [...DEFAULT_ALERT_RULES];
  if (!isMapping(doc))
    throw new ValidationError(`${source}: must be a mapping with defaults and rules`);
  const problems: string[] = [];
  for (const key of Object.keys(doc))
    if (!TOP_LEVEL.includes(key))
      problems.push(`${key}: unknown field (expected ${TOP_LEVEL.join(', ')})`);
  if (doc.defaults !== undefined && typeof doc.defaults !== 'boolean')
    problems.push('defaults: true or false');
  const rules = doc.rules ?? [];
  if (!Array.isArray(rules)) problems.push('rules: must be a list of rules');
  const overrides: RuleOverride[] = [];
  const labels: string[] = [];
  (Array.isArray(rules) ? rules : []).forEach((raw: unknown, i) => {
    if (!isMapping(raw)) return problems.push(`rules[${i}]: must be a mapping`);
    const at = `rules[${i}]${typeof raw.name === 'string' ? ` (${raw.name})` : ''}`;
    if (raw.name === undefined) problems.push(`${at}: name is required`);
    let valid = true;
    for (const [field, value] of Object.entries(raw)) {
      const check = FIELDS[field];
      const problem = check ? check(value) : 'unknown field';
      if (problem) {
        valid = false;
        problems.push(`${at}.${field}: ${problem}`);
      }
    }
    if (valid && raw.name !== undefined) {
      overrides.push(raw as RuleOverride);
      labels.push(at);
    }
  });
  const resolved = resolveAlertRules(overrides, doc.defaults !== false, labels);
  if (!resolved.ok) problems.push(...resolved.problems);
  if (problems.length) throw new ValidationError(`${source}: invalid alert rules`, problems);
  return resolved.ok ? resolved.rules : [];
}

/** `TETHER_ALERTS_FILE`, or the built-in rules when none is set. */
export function loadAlertRules(file: string | undefined): AlertRule[] {
  if (!file) return [...DEFAULT_ALERT_RULES];
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(
      `cannot read the alerts file ${file}: ${(err as Error).message}`,
      [],
      {
        cause: err,
      },
    );
  }
  return alertRulesOf(doc, file);
}

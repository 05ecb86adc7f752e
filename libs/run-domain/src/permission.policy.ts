import { Tier, type PermissionRule, type ToolSpec } from '@tether/contracts';

/**
 * The permission matrix: role × tool × resource → allow | deny | ask. Rules are tried in order
 * and the first that matches decides; when none matches, the call is denied. A tier 2 tool is
 * irreversible, so a rule that allows it asks instead: nothing irreversible runs without a
 * human. A rule that denies it still denies (asking would let a denied role request it).
 */

export type Effect = 'allow' | 'deny' | 'ask';

export interface PermissionRequest {
  /** The roles of the user the run acts for; a rule matches when any of them matches. */
  roles: readonly string[];
  tool: string;
  tier: Tier;
  /** From the tool's `resource` template (see `resourceOf`); `*` when it has none. */
  resource: string;
}

export interface PermissionDecision {
  effect: Effect;
  /** The rule that decided, as people read it; `default deny` when none matched. */
  rule: string;
}

export const DEFAULT_DENY = 'default deny';

/**
 * Glob over names: `*` is any run of characters (none included), `?` one character; the rest is
 * literal and case-sensitive. `*` crosses `:` and `/`, so `order:*` covers every order.
 */
export function globMatches(pattern: string, value: string): boolean {
  let cached = GLOBS.get(pattern);
  if (!cached) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    cached = new RegExp(`^${source}$`, 's');
    if (GLOBS.size > 10_000) GLOBS.clear();
    GLOBS.set(pattern, cached);
  }
  return cached.test(value);
}
const GLOBS = new Map<string, RegExp>();

/** `permissions[2]: user × issue_* × order:* → deny` */
export function describeRule(rule: PermissionRule, index: number): string {
  return `permissions[${index}]: ${rule.role} × ${rule.tool} × ${rule.resource ?? '*'} → ${rule.effect}`;
}

export function evaluatePermission(
  rules: readonly PermissionRule[] | undefined,
  request: PermissionRequest,
): PermissionDecision {
  const list = rules ?? [];
  for (let i = 0; i < list.length; i++) {
    const rule = list[i] as PermissionRule;
    if (!request.roles.some((role) => globMatches(rule.role, role))) continue;
    if (!globMatches(rule.tool, request.tool)) continue;
    if (!globMatches(rule.resource ?? '*', request.resource)) continue;
    const rule_ = describeRule(rule, i);
    if (rule.effect === 'allow' && request.tier === Tier.Irreversible) {
      return { effect: 'ask', rule: `${rule_} (tier 2 always asks)` };
    }
    return { effect: rule.effect, rule: rule_ };
  }
  return { effect: 'deny', rule: DEFAULT_DENY };
}

/**
 * What the matrix says of one proposed call of a declared tool: the question both the
 * orchestrator (deciding the call) and the tool-executor (before running it) ask.
 */
export function permissionFor(
  rules: readonly PermissionRule[] | undefined,
  roles: readonly string[],
  spec: ToolSpec,
  args: Record<string, unknown>,
): PermissionDecision {
  return evaluatePermission(rules, {
    roles,
    tool: spec.name,
    tier: spec.tier,
    resource: resourceOf(spec.resource, args),
  });
}

/**
 * The resource a call acts on: the tool's template with `{arg}` (or `{a.b}`) filled from the
 * arguments. A missing or non-scalar argument fills in as empty, so it can only match `*`-style
 * patterns, never a specific resource. No template: `*`.
 */
export function resourceOf(template: string | undefined, args: Record<string, unknown>): string {
  if (template === undefined) return '*';
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, path: string) => {
    let value: unknown = args;
    for (const key of path.split('.')) {
      value =
        value && typeof value === 'object' && !Array.isArray(value)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
  });
}

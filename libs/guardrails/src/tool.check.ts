import { TOOL_NAME_PATTERN } from '@tether/contracts';
import { containsSensitive } from '@tether/redaction';
import type { CompiledGuardrails } from './guardrails.compile';
import { firedRules } from './injection.scan';
import { walkLeaves } from './leaf.walk';
import { canonical, scanText } from './scan-text';
import { isDeleteLike } from './tool-args.rules';
import { TriggerAction, TriggerStage, trigger, type Trigger } from './trigger';

export interface ToolArgsCheck {
  /** `block`: the call must not run. */
  verdict: 'pass' | 'block';
  /** One per rule that fired, naming the first argument it fired on. */
  triggers: Trigger[];
}

/**
 * Checks a proposed tool call's arguments against the built-in blocked actions and the agent's
 * own patterns, reading every string, number and boolean however deep. Meant to run before
 * permissions and approval, so that a blocked call is never offered to a human either.
 */
export function checkToolArgs(g: CompiledGuardrails, tool: string, args: unknown): ToolArgsCheck {
  const { builtin, blocked } = g.toolArgs;
  const patterns = blocked.filter((b) => !b.tools || b.tools.some((re) => re.test(tool)));
  if (builtin.length === 0 && patterns.length === 0) return { verdict: 'pass', triggers: [] };
  const deleteLike = isDeleteLike(tool);
  const name = toolLabel(tool);
  const fired = new Map<string, Trigger>();
  const fire = (ruleId: string, title: string, path: () => string) => {
    const detail = `${title} in ${name} ${path()}`;
    fired.set(ruleId, trigger(ruleId, TriggerStage.ToolArgs, TriggerAction.Block, detail));
  };
  walkLeaves(args, 'args', (leaf, site) => {
    const text = typeof leaf === 'string' ? canonical(leaf) : undefined;
    const value = text?.toLowerCase() ?? leaf;
    for (const rule of builtin) {
      if (!fired.has(rule.id) && rule.test(value, { deleteLike, key: site.key })) {
        fire(rule.id, rule.title, site.path);
      }
    }
    if (text === undefined) return;
    for (const b of patterns) {
      if (!fired.has(b.id) && b.pattern.test(text))
        fire(b.id, 'configured blocked pattern', site.path);
    }
  });
  const triggers = [...fired.values()];
  return { verdict: triggers.length > 0 ? 'block' : 'pass', triggers };
}

/** The tool's name for a detail: the model proposes it, so only a well-formed name is shown. */
function toolLabel(tool: string): string {
  return TOOL_NAME_PATTERN.test(tool) && !containsSensitive(tool) ? tool : '?';
}

export interface ToolResultCheck {
  /** The configured injection action when a rule fired (default `flag`), else `pass`. */
  verdict: 'pass' | 'flag' | 'block' | 'escalate';
  triggers: Trigger[];
  /** Some rule fired: whatever the action, the text is to be treated as hostile. */
  flagged: boolean;
}

/**
 * Applies the injection rule set to a tool result or retrieved document: a string, or any JSON
 * value (every string in it is read). Here the rules' untrusted-only patterns apply too: an
 * instruction to approve, refund or call a tool is an injection when a document carries it.
 */
export function checkToolResult(g: CompiledGuardrails, result: unknown): ToolResultCheck {
  const injection = g.toolResults.injection;
  if (!injection) return { verdict: 'pass', triggers: [], flagged: false };
  const fired = new Map<string, Trigger>();
  walkLeaves(result, 'result', (leaf, site) => {
    if (typeof leaf !== 'string') return;
    const rules = injection.rules.filter((r) => !fired.has(r.id));
    for (const rule of firedRules(rules, scanText(leaf), true)) {
      const detail = `${rule.title} in ${site.path()}`;
      fired.set(rule.id, trigger(rule.id, TriggerStage.ToolResult, injection.action, detail));
    }
  });
  const triggers = [...fired.values()];
  const flagged = triggers.length > 0;
  return { verdict: flagged ? injection.action : 'pass', triggers, flagged };
}

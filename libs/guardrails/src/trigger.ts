import type { GuardrailAction, GuardrailStage } from '@tether/contracts';
import { containsSensitive } from '@tether/redaction';

/**
 * A guardrail's finding. The orchestrator records each as a `guardrail.triggered` event, so the
 * shape is that event's data (`GuardrailTriggered`) and `detail` is stored: it names the rule and
 * where it fired, never the text that matched (a secret, an email, the user's words).
 */
export const TriggerStage = {
  Input: 'input',
  Output: 'output',
  ToolArgs: 'tool_args',
  ToolResult: 'tool_result',
} as const satisfies Record<string, GuardrailStage>;
export type TriggerStage = GuardrailStage;

export const TriggerAction = {
  /** The text or call does not go on. */
  Block: 'block',
  /** The text went on changed (personal data replaced, cut to length). */
  Redact: 'redact',
  /** A human decides. */
  Escalate: 'escalate',
  /** Answered with the configured refusal, without the model. */
  Refuse: 'refuse',
  /** Recorded; the text went on, marked as untrusted. */
  Flag: 'flag',
} as const satisfies Record<string, GuardrailAction>;
export type TriggerAction = GuardrailAction;

export interface Trigger {
  /** `inj.ignore-instructions`, `redact.email`, `sql.drop`, or a configured pattern's id. */
  ruleId: string;
  stage: GuardrailStage;
  action: GuardrailAction;
  /** What fired and where, at most `MAX_DETAIL` characters, never the matched text. */
  detail: string;
}

export const MAX_DETAIL = 120;

export function trigger(
  ruleId: string,
  stage: GuardrailStage,
  action: GuardrailAction,
  detail: string,
): Trigger {
  return {
    ruleId,
    stage,
    action,
    detail: detail.length > MAX_DETAIL ? detail.slice(0, MAX_DETAIL - 1) + '…' : detail,
  };
}

// An argument or property name as people write them: letters, `_`, `-`, `$`, digits only at the
// end (`line2`), at most 32 characters. Keys made of data (an id, an email, a token) fail it.
const PLAIN_NAME = /^(?:[A-Za-z_$][A-Za-z_$-]{0,28}\d{0,3}|\d{1,9})$/;

/**
 * A key or index as it may appear in a detail: a plain name or an index as is, anything else (a
 * key the model made of someone's email or a token) as `?`.
 */
export function plainName(key: string | number): string {
  const s = String(key);
  return PLAIN_NAME.test(s) && !containsSensitive(s) ? s : '?';
}

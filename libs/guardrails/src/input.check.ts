import { InjectionAction } from '@tether/contracts';
import { classifierTrigger, type InputClassification } from './classifier';
import type { CompiledGuardrails } from './guardrails.compile';
import { firedRules } from './injection.scan';
import { findPhrase, wordsOf, type Phrase } from './phrase.matcher';
import { scanText } from './scan-text';
import { TriggerAction, TriggerStage, trigger, type Trigger } from './trigger';

export type InputVerdict = 'pass' | 'block' | 'refuse' | 'escalate';

export interface InputCheck {
  /**
   * `block`: do not send it to the model. `refuse`: answer with `message`, without the model.
   * `escalate`: hand the run to a human. `pass`: go on (`triggers` may still hold flags).
   */
  verdict: InputVerdict;
  triggers: Trigger[];
  /** The configured polite refusal, when the verdict is `refuse`. */
  message?: string;
}

// Inputs made only of these are let through an out-of-scope check: the model answers a greeting.
const SMALL_TALK = new Set(
  'hi hello hey hiya thanks thank you thx ty cheers ok okay yes no yep nope bye goodbye good morning afternoon evening great please'.split(
    ' ',
  ),
);
const HAS_LETTER = /[a-z]/;

/**
 * Checks a user's input before it reaches the model, in this order: length and format (block,
 * nothing else is read), the injection rule set (block ends the check; escalate and flag are
 * recorded and the check goes on), the classifier's verdict when one was asked (the same), escalation phrases (escalate), scope (refuse with the
 * configured message). The strongest outcome wins: block, escalate, refuse, pass.
 */
export function checkInput(
  g: CompiledGuardrails,
  text: string,
  classification?: InputClassification,
): InputCheck {
  const { maxChars, format, injection, scope, escalateOn } = g.input;
  const stage = TriggerStage.Input;
  if (maxChars !== undefined && text.length > maxChars) {
    const detail = `input of ${text.length} chars is over the ${maxChars} allowed`;
    return block(trigger('input.max-chars', stage, TriggerAction.Block, detail));
  }
  if (format !== undefined && !format.test(text)) {
    const detail = 'input does not match the configured format';
    return block(trigger('input.format', stage, TriggerAction.Block, detail));
  }

  const classified = classifierTrigger(g, classification);
  if (!injection && escalateOn.length === 0 && !scope && !classified) {
    return { verdict: 'pass', triggers: [] };
  }
  const scanned = scanText(text);
  const triggers: Trigger[] = [];
  let escalate = false;
  if (injection) {
    for (const rule of firedRules(injection.rules, scanned, false)) {
      triggers.push(trigger(rule.id, stage, injection.action, `${rule.title} at input`));
    }
    if (triggers.length > 0 && injection.action === InjectionAction.Block) {
      return { verdict: 'block', triggers };
    }
    escalate = triggers.length > 0 && injection.action === InjectionAction.Escalate;
  }
  if (classified) {
    triggers.push(classified);
    if (classified.action === TriggerAction.Block) return { verdict: 'block', triggers };
    escalate ||= classified.action === TriggerAction.Escalate;
  }
  if (escalateOn.length === 0 && !scope)
    return { verdict: escalate ? 'escalate' : 'pass', triggers };

  const words = wordsOf(scanned.folded);
  const phrase = findPhrase(escalateOn, words);
  if (phrase >= 0) {
    const detail = `escalation phrase ${phrase + 1} ("${escalateOn[phrase].text}") at input`;
    triggers.push(trigger('input.escalate-on', stage, TriggerAction.Escalate, detail));
    escalate = true;
  }
  if (escalate) return { verdict: 'escalate', triggers };
  if (scope && !inScope(scope.topics, words)) {
    const detail = 'input mentions none of the configured topics';
    triggers.push(trigger('input.out-of-scope', stage, TriggerAction.Refuse, detail));
    return { verdict: 'refuse', triggers, message: scope.refusal };
  }
  return { verdict: 'pass', triggers };
}

function block(t: Trigger): InputCheck {
  return { verdict: 'block', triggers: [t] };
}

function inScope(topics: readonly Phrase[], words: readonly string[]): boolean {
  if (findPhrase(topics, words) >= 0) return true;
  // Nothing to judge (an order number alone) or only pleasantries: the model may answer.
  const letterWords = words.filter((w) => HAS_LETTER.test(w));
  return letterWords.length === 0 || letterWords.every((w) => SMALL_TALK.has(w));
}

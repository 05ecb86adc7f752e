import { Outcome, ReasonCode, type AgentSpec } from '@tether/contracts';
import {
  checkInput,
  checkInterimText,
  checkOutput,
  confidenceTrigger,
  declaredConfidence,
  guardrailsOf,
  type InputClassification,
  type Trigger,
} from '@tether/guardrails';
import { redactText } from '@tether/redaction';
import { event, type DecidedEvent } from './decided';
import { Messages } from './run.messages';
import type { InputHeld } from './run.state';

/**
 * The guardrails' part of a decision: which checks run at which point of a run, and how a run
 * ends when one stops it. The checks themselves live in `@tether/guardrails`.
 */

/** One `guardrail.triggered` per trigger, tied to the call it fired on when there is one. */
export function triggered(triggers: readonly Trigger[], callId?: string): DecidedEvent[] {
  return triggers.map((t) =>
    event('guardrail.triggered', { ...t, ...(callId !== undefined && { callId }) }),
  );
}

/**
 * The input checks on a new run: the triggers, then the run's end when they hold the input back
 * (nothing is sent to the model then).
 */
export function checkRunInput(
  agent: AgentSpec,
  run: { input: string; userId: string },
  classification?: InputClassification,
): DecidedEvent[] {
  const check = checkInput(guardrailsOf(agent), run.input, classification);
  const events = triggered(check.triggers);
  if (check.verdict === 'pass') return events;
  const held: InputHeld = { action: check.verdict, rules: check.triggers.map((t) => t.ruleId) };
  return [...events, ...inputEnding(agent, held, { ...run, escalated: false })];
}

/**
 * How a run whose input was held back ends. Also decided again when a run resumes with its input
 * held but no ending in the log (the worker died between the appends).
 */
export function inputEnding(
  agent: AgentSpec | undefined,
  held: InputHeld,
  run: { input: string; userId: string; escalated: boolean },
): DecidedEvent[] {
  const rules = held.rules.join(', ');
  switch (held.action) {
    case 'block':
      return [
        event('run.failed', {
          outcome: Outcome.Failed,
          reason: ReasonCode.GuardrailBlocked,
          message: Messages.inputBlocked(),
          detail: `input blocked by ${rules}`,
        }),
      ];
    case 'refuse': {
      const refusal = guardrailsOf(agent).input.scope?.refusal ?? Messages.outOfScope();
      return [
        event('run.completed', {
          outcome: Outcome.Partial,
          reason: ReasonCode.OutOfScope,
          message: Messages.outOfScope(),
          output: refusal,
        }),
      ];
    }
    case 'escalate':
      return handOff(run.escalated, ReasonCode.PolicyAmbiguous, {
        message: Messages.escalatedPolicy(rules),
        detail: `input matched ${rules}; escalated to a human`,
        context: { userId: run.userId, input: clipContext(run.input), rules: held.rules },
      });
  }
}

/** `run.escalated` (unless already in the log) and the run's end, outcome partial. */
export function handOff(
  escalated: boolean,
  reason: ReasonCode,
  what: {
    /** For the person taking over. */
    message: string;
    /** For the end user; default `Messages.handedToHuman()`. */
    ending?: string;
    detail: string;
    context: Record<string, unknown>;
    callId?: string;
  },
): DecidedEvent[] {
  const failed = event('run.failed', {
    outcome: Outcome.Partial,
    reason,
    message: what.ending ?? Messages.handedToHuman(),
    detail: what.detail,
  });
  // Appends are not atomic: after a crash between the two, only the end is left to record.
  if (escalated) return [failed];
  return [
    event('run.escalated', {
      reason,
      message: what.message,
      ...(what.callId !== undefined && { callId: what.callId }),
      context: what.context,
    }),
    failed,
  ];
}

export interface AnswerCheck {
  /** What may be stored and shown of the model's text. */
  text: string | undefined;
  /** The triggers' events, then the run's end when the answer cannot be delivered as is. */
  events: DecidedEvent[];
  /** The events end the run. */
  ends: boolean;
}

/**
 * The output checks on a model turn. A final answer (no tool calls) gets them all: redaction,
 * length, schema, declared confidence. Text said alongside tool calls is only redacted.
 */
export function checkAnswer(
  agent: AgentSpec | undefined,
  text: string | undefined,
  final: boolean,
  run: { input: string; userId: string; step: number },
): AnswerCheck {
  const g = guardrailsOf(agent);
  if (!final) {
    if (text === undefined) return { text, events: [], ends: false };
    const interim = checkInterimText(g, text);
    return { text: interim.text, events: triggered(interim.triggers), ends: false };
  }
  const checked = checkOutput(g, text ?? '');
  const events = triggered(checked.triggers);
  const stored = text === undefined && checked.text === '' ? undefined : checked.text;
  if (checked.verdict === 'block') {
    const rules = checked.triggers.filter((t) => t.action === 'block').map((t) => t.ruleId);
    events.push(
      event('run.failed', {
        outcome: Outcome.Failed,
        reason: ReasonCode.GuardrailBlocked,
        message: Messages.outputBlocked(),
        detail: `answer blocked by ${rules.join(', ')}`,
      }),
    );
    return { text: stored, events, ends: true };
  }
  const low = confidenceTrigger(g, declaredConfidence(checked.text));
  if (low) {
    events.push(
      ...triggered([low]),
      ...handOff(false, ReasonCode.LowConfidence, {
        message: Messages.escalatedLowConfidence(low.detail),
        detail: low.detail,
        context: {
          userId: run.userId,
          input: clipContext(run.input),
          step: run.step,
          draftAnswer: clipContext(checked.text),
        },
      }),
    );
    return { text: stored, events, ends: true };
  }
  return { text: stored, events, ends: false };
}

const CONTEXT_CHARS = 500;

/** Context for a person taking over: redacted (the log may hold it), and short. */
export function clipContext(text: string): string {
  const clean = redactText(text).text;
  return clean.length <= CONTEXT_CHARS ? clean : `${clean.slice(0, CONTEXT_CHARS - 1)}…`;
}

import { REDACTED, redact, redactText, type RedactionKind } from '@tether/redaction';
import type { ValidateFunction } from 'ajv';
import type { CompiledGuardrails } from './guardrails.compile';
import { TriggerAction, TriggerStage, plainName, trigger, type Trigger } from './trigger';

export type OutputVerdict = 'pass' | 'block';

export interface OutputCheck {
  /** The answer to deliver and store: redacted, cut to length. Redacted even when blocked. */
  text: string;
  verdict: OutputVerdict;
  triggers: Trigger[];
}

const stage = TriggerStage.Output;

/**
 * Checks a model's answer before it is delivered or stored. Plain text is redacted, then cut to
 * `maxChars` (both recorded as `redact`). With a schema, the answer must be JSON that satisfies
 * it (else `block`); its values are redacted as JSON (keys such as `password` hide their value,
 * the result stays parseable) and an answer over `maxChars` is blocked rather than cut.
 */
export function checkOutput(g: CompiledGuardrails, text: string): OutputCheck {
  const { schema } = g.output;
  return schema ? checkStructured(g, schema, text) : checkPlain(g, text);
}

/**
 * Text the model says alongside tool calls: not the answer, so neither the schema nor the length
 * applies, but it is stored and shown, so personal data and secrets are redacted.
 */
export function checkInterimText(g: CompiledGuardrails, text: string): OutputCheck {
  if (!g.output.redact) return { text, verdict: 'pass', triggers: [] };
  const r = redactText(text);
  return { text: r.text, verdict: 'pass', triggers: r.kinds.map(redactionTrigger) };
}

function checkPlain(g: CompiledGuardrails, text: string): OutputCheck {
  const triggers: Trigger[] = [];
  let out = text;
  if (g.output.redact) {
    const r = redactText(text);
    out = r.text;
    for (const kind of r.kinds) triggers.push(redactionTrigger(kind));
  }
  const max = g.output.maxChars;
  if (max !== undefined && out.length > max) {
    const detail = `output of ${out.length} chars cut to ${max}`;
    triggers.push(trigger('output.max-chars', stage, TriggerAction.Redact, detail));
    out = truncate(out, max);
  }
  return { text: out, verdict: 'pass', triggers };
}

function checkStructured(
  g: CompiledGuardrails,
  validate: ValidateFunction,
  text: string,
): OutputCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the text: never put it in a detail.
    return blocked(g, text, 'output.schema', 'output is not valid JSON');
  }
  if (!validate(value)) {
    const e = validate.errors?.[0];
    // The message names the rule broken, never the value; the path may hold keys the model
    // chose (under additionalProperties), so only plain names and indexes are kept.
    const where = e?.instancePath ? plainPath(e.instancePath) : '/';
    const detail = `output does not match the schema at ${where}: ${e?.message ?? 'invalid'}`;
    return blocked(g, text, 'output.schema', detail);
  }
  const triggers: Trigger[] = [];
  let out = text;
  if (g.output.redact) {
    const r = redact(value);
    if (r.paths.length > 0) {
      out = JSON.stringify(r.value);
      for (const kind of newMarkers(text, out)) triggers.push(redactionTrigger(kind));
    }
  }
  const max = g.output.maxChars;
  if (max !== undefined && out.length > max) {
    return blocked(
      g,
      out,
      'output.max-chars',
      `structured output of ${out.length} chars is over ${max}`,
      triggers,
    );
  }
  return { text: out, verdict: 'pass', triggers };
}

function blocked(
  g: CompiledGuardrails,
  text: string,
  ruleId: string,
  detail: string,
  triggers: Trigger[] = [],
): OutputCheck {
  const r = g.output.redact ? redactText(text) : undefined;
  const redactions = r?.kinds.map(redactionTrigger) ?? [];
  return {
    text: r?.text ?? text,
    verdict: 'block',
    triggers: [...triggers, ...redactions, trigger(ruleId, stage, TriggerAction.Block, detail)],
  };
}

function plainPath(pointer: string): string {
  return pointer
    .split('/')
    .map((s, i) => (i === 0 ? s : plainName(s)))
    .join('/');
}

function redactionTrigger(kind: RedactionKind): Trigger {
  return trigger(`redact.${kind}`, stage, TriggerAction.Redact, `${kind} at output`);
}

/** Kinds whose marker occurs more often in `after` than in `before` (the model may echo one). */
function newMarkers(before: string, after: string): RedactionKind[] {
  return (Object.keys(REDACTED) as RedactionKind[]).filter(
    (kind) => count(after, REDACTED[kind]) > count(before, REDACTED[kind]),
  );
}

function count(text: string, marker: string): number {
  let n = 0;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) n++;
  return n;
}

/** The first `max` characters, the last replaced by `…`, never splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, Math.max(end, 0)) + '…';
}

/**
 * A model answer that declares its confidence (0–1) below the agent's `minConfidence` escalates.
 * No trigger without a threshold, without a declared confidence, or for a value that is not a
 * finite number.
 */
export function confidenceTrigger(g: CompiledGuardrails, confidence?: number): Trigger | undefined {
  const min = g.minConfidence;
  if (min === undefined || confidence === undefined || !Number.isFinite(confidence))
    return undefined;
  if (confidence >= min) return undefined;
  const detail = `declared confidence ${round(confidence)} is below ${round(min)}`;
  return trigger('output.low-confidence', stage, TriggerAction.Escalate, detail);
}

/**
 * The confidence an answer declares: a top-level numeric `confidence` of a JSON object answer
 * (agents that want it ask for it in their instructions or output schema). Undefined otherwise.
 */
export function declaredConfidence(answer: string): number | undefined {
  const start = answer.trimStart();
  if (!start.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(start);
    const c = (value as { confidence?: unknown } | null)?.confidence;
    return typeof c === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

import {
  checkInput,
  checkOutput,
  checkToolArgs,
  checkToolResult,
  compileGuardrails,
  confidenceTrigger,
  type Trigger,
} from '@tether/guardrails';
import { redact } from '@tether/redaction';
import { AGENTS, toolSpecs } from './agents';
import { CASES, Category, type AdversarialCase } from './cases';
import { compromisedReply, type ChatMessage } from './compromised-model';
import { docsResult, orderRecord } from './customer-api';
import { plantedIn } from './fixtures';

/**
 * The case table checked against the guardrails library alone, before any runtime is involved:
 * replaying each attack through the compromised model and the checks, every expected trigger
 * fires. So when the adversarial suite fails, the runtime is at fault, not the table.
 */
const offered = toolSpecs('http://api.invalid').map((t) => ({
  function: { name: String(t.name) },
}));

/** The triggers the checks would record for a case, turn by turn, as far as the model goes. */
function simulate(c: AdversarialCase): Trigger[] {
  const g = compileGuardrails(AGENTS[c.agent ?? 'adv-default'].guardrails);
  const input = checkInput(g, c.input ?? '');
  const triggers = [...input.triggers];
  if (input.verdict !== 'pass') return triggers;

  const messages: ChatMessage[] = [{ role: 'user', content: c.input }];
  for (let turn = 0; turn < 3; turn++) {
    const reply = compromisedReply(messages, offered);
    messages.push(reply);
    const calls = reply.tool_calls ?? [];
    if (reply.content) {
      const out = checkOutput(g, reply.content);
      triggers.push(...out.triggers);
      if (calls.length === 0) {
        const confidence = declaredConfidence(reply.content);
        const low = confidenceTrigger(g, confidence);
        if (low) triggers.push(low);
      }
    }
    if (calls.length === 0) break;
    for (const call of calls) {
      let args: Record<string, unknown>;
      try {
        args = JSON.parse(call.function.arguments);
      } catch {
        return triggers;
      }
      const blocked = checkToolArgs(g, call.function.name, args);
      triggers.push(...blocked.triggers);
      let content: unknown = { ok: true };
      if (call.function.name === 'lookup_order' && c.order) content = orderRecord(c.id, c.order);
      if (call.function.name === 'search_docs') content = docsResult(c.id, c.doc);
      const checked = checkToolResult(g, content);
      triggers.push(...checked.triggers);
      // The model reads what the log holds: the result redacted, or a notice when withheld.
      const seen = checked.verdict === 'block' ? { withheld: true } : redact(content).value;
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(seen) });
      if (checked.verdict === 'escalate') return triggers;
    }
  }
  return triggers;
}

function declaredConfidence(text: string): number | undefined {
  try {
    const c = (JSON.parse(text) as { confidence?: unknown }).confidence;
    return typeof c === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

describe('the adversarial case table', () => {
  it('has at least 60 cases, several of every kind, each with a unique, usable id', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const ids = CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]{1,30}$/);
    for (const category of Object.values(Category)) {
      expect({ category, n: CASES.filter((c) => c.category === category).length }).toEqual({
        category,
        n: expect.any(Number),
      });
      expect(CASES.filter((c) => c.category === category).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('never puts a planted secret in what a user types (user input is stored as sent)', () => {
    const leaks = CASES.filter((c) => plantedIn(c.input ?? '').length > 0).map((c) => c.id);
    expect(leaks).toEqual([]);
  });

  it('every agent compiles', () => {
    for (const agent of Object.values(AGENTS)) {
      expect(() => compileGuardrails(agent.guardrails)).not.toThrow();
    }
  });

  const withTriggers = CASES.filter((c) => c.input !== undefined && !c.act);
  it.each(withTriggers.map((c) => [c.id, c] as const))(
    '%s: the expected guardrails fire when the attack is replayed through the checks',
    (_id, c) => {
      const fired = simulate(c).map(({ ruleId, stage, action }) => ({ ruleId, stage, action }));
      if (c.expect.noTriggers) expect(fired).toEqual([]);
      expect(fired).toEqual(
        expect.arrayContaining((c.expect.triggers ?? []).map((t) => expect.objectContaining(t))),
      );
    },
  );
});

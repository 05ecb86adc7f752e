import {
  INJECTION_RULES,
  INJECTION_RULESET_VERSION,
  INJECTION_RULE_IDS,
  checkInput,
  checkToolResult,
  compileGuardrails,
} from '../src';
import {
  HARMLESS_SUPPORT_TEXTS,
  INPUT_ATTACKS,
  UNTRUSTED_ONLY_ATTACKS,
} from './guardrails.fixtures';

const sut = compileGuardrails(undefined);
const onInput = (text: string) => checkInput(sut, text).triggers.map((t) => t.ruleId);
const inToolResult = (text: string) => checkToolResult(sut, text).triggers.map((t) => t.ruleId);

describe('injection rule set', () => {
  it('is versioned semver and its ids are unique, prefixed inj.', () => {
    expect(INJECTION_RULESET_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(INJECTION_RULE_IDS).size).toBe(INJECTION_RULES.length);
    for (const id of INJECTION_RULE_IDS) expect(id).toMatch(/^inj\.[a-z-]+$/);
  });

  it('has positive examples for every rule, at least four each', () => {
    const covered = new Map<string, number>();
    for (const [id, texts] of [
      ...Object.entries(INPUT_ATTACKS),
      ...Object.entries(UNTRUSTED_ONLY_ATTACKS),
    ]) {
      covered.set(id, (covered.get(id) ?? 0) + texts.length);
    }
    for (const id of INJECTION_RULE_IDS)
      expect([id, covered.get(id) ?? 0]).toEqual([id, expect.any(Number)]);
    const tooFew = INJECTION_RULE_IDS.filter((id) => (covered.get(id) ?? 0) < 4);
    expect(tooFew).toEqual([]);
  });

  it('gives every pattern needs of at least two letters', () => {
    for (const rule of INJECTION_RULES) {
      const patterns = [rule.folded, rule.squashed, rule.untrusted, rule.lines].flatMap(
        (list) => list ?? [],
      );
      for (const p of patterns) {
        expect(p.words.length + p.marks.length).toBeGreaterThan(0);
        for (const w of p.words) expect(w).toMatch(/^[a-z0-9]{2,}$/);
      }
    }
  });

  describe.each(Object.entries(INPUT_ATTACKS))('%s', (id, texts) => {
    it.each(texts.map((t) => [t]))('fires on input %j', (text) => {
      expect(onInput(text)).toContain(id);
    });

    it.each(texts.map((t) => [t]))('fires in a tool result %j', (text) => {
      expect(inToolResult(text)).toContain(id);
    });
  });

  describe.each(Object.entries(UNTRUSTED_ONLY_ATTACKS))('%s in untrusted text', (id, texts) => {
    it.each(texts.map((t) => [t]))('fires in a tool result %j', (text) => {
      expect(inToolResult(text)).toContain(id);
    });

    it.each(texts.map((t) => [t]))('does not fire on the same words from the user %j', (text) => {
      expect(onInput(text)).not.toContain(id);
    });
  });

  describe('on ordinary support traffic', () => {
    it('has at least 30 harmless examples', () => {
      expect(HARMLESS_SUPPORT_TEXTS.length).toBeGreaterThanOrEqual(30);
    });

    it.each(HARMLESS_SUPPORT_TEXTS.map((t) => [t]))('stays quiet on %j', (text) => {
      expect(onInput(text)).toEqual([]);
      expect(inToolResult(text)).toEqual([]);
    });

    it('stays quiet on all of it at once, as one long message', () => {
      expect(onInput(HARMLESS_SUPPORT_TEXTS.join('\n'))).toEqual([]);
    });
  });
});

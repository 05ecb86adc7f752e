import {
  INJECTION_RULES,
  type InjectionRule,
  type Pattern,
  type RuleContext,
} from './injection.rules';
import { scanText, type ScanText } from './scan-text';

// What a decoded or hidden payload is judged by: every rule that reads plain text. The rules that
// look for payloads are left out, so a payload inside a payload is not decoded again. An agent's
// `except` list does not apply here: it silences a rule's own trigger, not its use as evidence.
const PAYLOAD_RULES = INJECTION_RULES.filter(
  (r) => r.id !== 'inj.encoded' && r.id !== 'inj.hidden-markup',
);

/**
 * Every word need of every rule, by its first three characters: one pass over `squashed` finds
 * all those present, instead of one search per need. Letters and digits are numbered 1–36 (`ID`);
 * `TRIGRAM[id1 * 37² + id2 * 37 + id3]` is 1 + the index in `LISTS` of the needs starting with
 * those three (0: none). Two-letter needs (`ai`) are found by their pair in `PAIRS`.
 */
const ID = new Uint8Array(128);
[...'abcdefghijklmnopqrstuvwxyz0123456789'].forEach((c, i) => (ID[c.charCodeAt(0)] = i + 1));
const TRIGRAM = new Uint16Array(37 * 37 * 37);
const LISTS: string[][] = [];
// 1 + index in PAIR_WORDS of the two-letter need with that pair (0: none).
const PAIRS = new Uint8Array(37 * 37);
const PAIR_WORDS: string[] = [];
for (const rule of INJECTION_RULES) {
  const patterns = [
    ...(rule.folded ?? []),
    ...(rule.squashed ?? []),
    ...(rule.untrusted ?? []),
    ...(rule.lines ?? []),
  ];
  for (const word of patterns.flatMap((pattern) => pattern.words)) {
    const ids = [...word].map((c) => ID[c.charCodeAt(0)]);
    if (word.length === 2) {
      PAIRS[ids[0] * 37 + ids[1]] = PAIR_WORDS.push(word);
      continue;
    }
    const key = (ids[0] * 37 + ids[1]) * 37 + ids[2];
    if (TRIGRAM[key] === 0) TRIGRAM[key] = LISTS.push([]);
    const list = LISTS[TRIGRAM[key] - 1];
    if (!list.includes(word)) list.push(word);
  }
}

/** The word needs that occur in `squashed` (lower-case letters and digits only). */
export function needsIn(squashed: string): Set<string> {
  const found = new Set<string>();
  const n = squashed.length;
  let key = 0; // the last three ids, base 37
  for (let i = 0; i < n; i++) {
    key = (key % (37 * 37)) * 37 + ID[squashed.charCodeAt(i)];
    const pair = PAIRS[key % (37 * 37)];
    if (pair !== 0 && i >= 1) found.add(PAIR_WORDS[pair - 1]);
    if (i < 2) continue;
    const at = TRIGRAM[key];
    if (at === 0) continue;
    for (const word of LISTS[at - 1]) if (squashed.startsWith(word, i - 2)) found.add(word);
  }
  return found;
}

function matches(patterns: readonly Pattern[] | undefined, text: string, found: Set<string>) {
  if (patterns === undefined) return false;
  for (const { re, words, marks } of patterns) {
    const mayMatch = words.some((w) => found.has(w)) || marks.some((m) => text.includes(m));
    if (mayMatch && re.test(text)) return true;
  }
  return false;
}

function fires(rule: InjectionRule, t: ScanText, found: Set<string>, ctx: RuleContext): boolean {
  return (
    matches(rule.folded, t.folded, found) ||
    matches(rule.squashed, t.squashed, found) ||
    matches(rule.lines, t.lines, found) ||
    (ctx.untrusted && matches(rule.untrusted, t.folded, found)) ||
    rule.check?.(t, ctx) === true
  );
}

/**
 * The rules of `rules` that fire on `text` (see `scanText`). `untrusted` is true for tool results
 * and retrieved documents, where the rules' `untrusted` patterns apply too.
 */
export function firedRules(
  rules: readonly InjectionRule[],
  text: ScanText,
  untrusted: boolean,
): InjectionRule[] {
  if (rules.length === 0 || text.raw.length === 0) return [];
  const payloadCtx: RuleContext = { untrusted, rescan: () => false };
  const ctx: RuleContext = {
    untrusted,
    rescan: (payload) => {
      const t = scanText(payload);
      const found = needsIn(t.squashed);
      return PAYLOAD_RULES.some((r) => fires(r, t, found, payloadCtx));
    },
  };
  const found = needsIn(text.squashed);
  return rules.filter((r) => fires(r, text, found, ctx));
}

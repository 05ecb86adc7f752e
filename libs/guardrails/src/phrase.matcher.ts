/**
 * Whole-word phrase matching over folded text (see scan-text.ts), for scope topics and
 * escalation phrases: no regex per phrase, one pass over the words of the input.
 */
export interface Phrase {
  /** As configured, for messages. */
  text: string;
  /** Folded words; matched as prefixes (`prefix`) or exactly, with an optional plural ending. */
  words: readonly string[];
  prefix: boolean;
}

const SUFFIXES = ['ing', 'ed', 'ies', 's', 'y', 'e'];

/**
 * A word without one inflection ending, so that as a prefix it matches the other forms:
 * `delivery` → `deliver` (delivered, deliveries), `shipping` → `ship` (ships, shipment),
 * `invoice` → `invoic` (invoices, invoicing). Stems shorter than three letters are not cut.
 */
export function stem(word: string): string {
  for (const suffix of SUFFIXES) {
    if (!word.endsWith(suffix) || word.length - suffix.length < 3) continue;
    const base = word.slice(0, -suffix.length);
    const doubled = base.length >= 4 && base[base.length - 1] === base[base.length - 2];
    return (suffix === 'ing' || suffix === 'ed') && doubled ? base.slice(0, -1) : base;
  }
  return word;
}

const NON_WORD = /[^a-z0-9]+/;

/** The words of folded text. */
export function wordsOf(folded: string): string[] {
  return folded.split(NON_WORD).filter((w) => w.length > 0);
}

function wordMatches(pattern: string, word: string | undefined, prefix: boolean): boolean {
  if (word === undefined) return false;
  if (prefix) return word.startsWith(pattern);
  return word === pattern || word === pattern + 's' || word === pattern + 'es';
}

/** Index in `phrases` of the first phrase found in `words`, or -1. */
export function findPhrase(phrases: readonly Phrase[], words: readonly string[]): number {
  for (let i = 0; i < words.length; i++) {
    for (let p = 0; p < phrases.length; p++) {
      const { words: pw, prefix } = phrases[p];
      let j = 0;
      while (j < pw.length && wordMatches(pw[j], words[i + j], prefix)) j++;
      if (j === pw.length) return p;
    }
  }
  return -1;
}

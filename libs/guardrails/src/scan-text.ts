/**
 * The forms a text is matched in. Rules never see only the text as sent: trivial obfuscations
 * (full-width or mathematical letters, zero-width characters inside words, Cyrillic look-alikes,
 * `1gn0re`, `i g n o r e`, line breaks between words) must not get a phrase past them.
 *
 * Pure ASCII text, most traffic, skips the Unicode steps (NFKC leaves it unchanged). The last
 * steps run as one loop over the text rather than one regex replace each: on 8 KB that is the
 * difference between 60 µs and 250 µs.
 */
export interface ScanText {
  /** As given. */
  raw: string;
  /** `raw` has only ASCII characters. */
  ascii: boolean;
  /** NFKC, invisible characters removed, lower-case; line breaks kept (for line-start rules). */
  lines: string;
  /**
   * `lines` with look-alike letters folded to ASCII, digits and symbols touching a letter read as
   * letters (`pr3v10us`), letters spelled out one by one joined (`i.g.n.o.r.e`), `*`, `~` and
   * double quotes removed and white space collapsed to one space.
   */
  folded: string;
  /** `folded` with everything but letters and digits removed: phrases however they are split. */
  squashed: string;
  /**
   * The longest run of base64-alphabet characters in `folded` (never shorter than in `raw`): rules
   * that decode payloads skip texts where it is short.
   */
  longestRun: number;
}

// Format characters that render as nothing: zero-width space/joiners, word joiner, BOM, soft
// hyphen, bidi marks and overrides, Mongolian vowel separator, Hangul fillers, variation
// selectors, and the Unicode tag block (U+E0000–U+E007F, as surrogate pairs). The class holds
// combining marks on purpose: they are what is removed.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;
const NON_ASCII = /[\u0080-\uffff]/;
const WHITE_SPACE = /\s+/g;

/**
 * NFKC with invisible characters removed and white space collapsed, case kept: the form tool
 * arguments and configured patterns are matched in.
 */
export function canonical(text: string): string {
  const visible = NON_ASCII.test(text) ? text.normalize('NFKC').replace(INVISIBLE, '') : text;
  return visible.replace(WHITE_SPACE, ' ');
}

// Cyrillic and Greek letters that look like Latin ones (after lower-casing), and typographic
// quotes: the character at each position of LOOK_ALIKE_FROM reads as the one in LOOK_ALIKE_TO.
// NFKC already folds full-width, circled and mathematical letters.
const LOOK_ALIKE_FROM = 'авеёкмнорстухіїјѕԁԛԝһӏαβγεηικνορτυχω\u2018\u2019\u201c\u201d';
const LOOK_ALIKE_TO = 'abeekmhopctyxiijsdqwhlabyeniknoptuxw\'\'""';
const LOOK_ALIKES = new Map([...LOOK_ALIKE_FROM].map((c, i) => [c, LOOK_ALIKE_TO[i]]));
const LOOK_ALIKE = new RegExp(`[${LOOK_ALIKE_FROM}]`, 'g');

// Four or more single letters with the same separator between each: `i g n o r e`,
// `i.g.n.o.r.e` (so `s.y.s.t.e.m p-r-o-m-p-t` becomes two words).
const SPELLED_OUT = /(?<![a-z0-9])[a-z]([ ._*|-])[a-z](?:\1[a-z]){2,}(?![a-z0-9])/g;
const SEPARATORS = /[ ._*|-]/g;

// What the folding loop does with each UTF-16 code unit: keep it (0, the default), drop it
// (emphasis and quotes), collapse it (white space), or read it as a letter when it touches one
// (leet: `0` → o, `1` → i, `@` → a …).
const DROP = 1;
const SPACE = 2;
const LEET = 3;
const KIND = new Uint8Array(0x10000);
const LEET_AS = new Uint16Array(128);
// Base64 alphabet, lower-cased (with `-`, `_` of base64url and `=` padding).
const BASE64 = new Uint8Array(128);
{
  const codes = (s: string) => [...s].map((c) => c.charCodeAt(0));
  for (const c of codes('*~"')) KIND[c] = DROP;
  const spaces = '\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000';
  for (const c of codes(spaces)) KIND[c] = SPACE;
  for (let c = 0x2000; c <= 0x200a; c++) KIND[c] = SPACE;
  const leetFrom = codes('0134578@$');
  const leetTo = codes('oieastbas');
  leetFrom.forEach((c, i) => {
    KIND[c] = LEET;
    LEET_AS[c] = leetTo[i];
  });
  for (const c of codes('abcdefghijklmnopqrstuvwxyz0123456789+/_-=')) BASE64[c] = 1;
}
const isLetter = (c: number) => c >= 97 && c <= 122;

// Scratch buffers, grown on demand. Safe to share: the loop never yields.
let out8 = new Uint8Array(0);
let sq8 = new Uint8Array(0);
let out16 = new Uint16Array(0);
const utf16 = new TextDecoder('utf-16le');

export function scanText(raw: string): ScanText {
  const ascii = !NON_ASCII.test(raw);
  let lines = ascii ? raw : raw.normalize('NFKC').replace(INVISIBLE, '');
  lines = lines.toLowerCase();
  let text = ascii ? lines : lines.replace(LOOK_ALIKE, (c) => LOOK_ALIKES.get(c) ?? c);
  text = text.replace(SPELLED_OUT, (s) => s.replace(SEPARATORS, ''));
  return { raw, ascii, lines, ...fold(text, ascii) };
}

/** Leet, emphasis, white space and squashing in one pass over `text` (lower-case already). */
function fold(
  text: string,
  ascii: boolean,
): { folded: string; squashed: string; longestRun: number } {
  const n = text.length;
  if (sq8.length < n) {
    sq8 = new Uint8Array(n * 2);
    out8 = new Uint8Array(n * 2);
  }
  if (!ascii && out16.length < n) out16 = new Uint16Array(n * 2);
  let o = 0;
  let q = 0;
  let run = 0;
  let longestRun = 0;
  let afterSpace = true; // no leading space
  let prevLetter = false;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    const kind = KIND[c];
    if (kind === DROP) continue;
    if (kind === SPACE) {
      if (!afterSpace) {
        if (ascii) out8[o++] = 32;
        else out16[o++] = 32;
        afterSpace = true;
      }
      prevLetter = false;
      run = 0;
      continue;
    }
    afterSpace = false;
    if (kind === LEET && (prevLetter || (i + 1 < n && isLetter(text.charCodeAt(i + 1))))) {
      c = LEET_AS[c];
    }
    prevLetter = isLetter(c);
    if (ascii) out8[o++] = c;
    else out16[o++] = c;
    if (isLetter(c) || (c >= 48 && c <= 57)) sq8[q++] = c;
    if (c < 128 && BASE64[c] === 1) {
      if (++run > longestRun) longestRun = run;
    } else {
      run = 0;
    }
  }
  // A trailing space from trailing white space.
  if (o > 0 && (ascii ? out8[o - 1] : out16[o - 1]) === 32) o--;
  const folded = ascii
    ? Buffer.from(out8.buffer, 0, o).toString('latin1')
    : utf16.decode(out16.subarray(0, o));
  const squashed = Buffer.from(sq8.buffer, 0, q).toString('latin1');
  return { folded, squashed, longestRun };
}

import { isCardNumber, isIban, isNinoPrefix, isPhone, isSsn } from './id-number.validators';
import { REDACTED, RedactionKind, isMarker } from './redaction.kinds';
import { KeyClass, classifyKey, classifyQueryName } from './secret-key.rules';

/**
 * The text rules, in the order they run. Order matters where shapes overlap: a `password=` value
 * or an `Authorization:` header is replaced whole before its bearer token or JWT is looked at;
 * `user:pass@` in a URL before the email rule could see `pass@host.tld`; cards, IBANs and SSNs
 * before phones, which would otherwise claim some of their digits.
 *
 * Every regex is compiled once, and written so that no input backtracks badly: a pattern either
 * starts at a literal (`-----BEGIN`, `eyJ`, `://`) or behind a lookbehind that allows only the
 * first character of a run, and repeated groups never overlap (a separator is required between
 * two digit groups). Each rule also has a cheap precondition (`@` for emails, enough digits for
 * numbers, enough length for keys) so short strings, most of a tool result, skip the regexes.
 */
type Rule = (text: string, found: RedactionKind[], digits: number) => string;

/**
 * `text` with each match of the global `re` replaced by what `replace` returns (undefined keeps
 * it). `replace` may move `re.lastIndex` forward to consume more than the match.
 */
function substitute(
  text: string,
  re: RegExp,
  replace: (m: RegExpExecArray) => string | undefined,
): string {
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const replacement = replace(m);
    if (replacement === undefined) continue;
    out += text.slice(last, m.index) + replacement;
    last = re.lastIndex;
  }
  return last === 0 ? text : out + text.slice(last);
}

// PEM private keys. The END line is searched with indexOf, once per key type: a text full of
// BEGIN lines without an END must not cost a scan to the end for each of them. A key cut off
// before its END (a truncated tool output) loses its header lines and base64 lines.
const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----/g;
const PEM_TRUNCATED_BODY = /(?:(?:\s|\\[nr])+(?:[A-Za-z-]+: [^\n\\]*|[A-Za-z0-9+/=]{4,}))*/y;

const privateKeys: Rule = (text, found) => {
  if (!text.includes('PRIVATE KEY-----')) return text;
  const missingEnd = new Set<string>();
  return substitute(text, PEM_BEGIN, (m) => {
    const type = m[1];
    const endLine = `-----END ${type}PRIVATE KEY-----`;
    const at = missingEnd.has(type) ? -1 : text.indexOf(endLine, PEM_BEGIN.lastIndex);
    if (at >= 0) {
      PEM_BEGIN.lastIndex = at + endLine.length;
    } else {
      missingEnd.add(type);
      PEM_TRUNCATED_BODY.lastIndex = PEM_BEGIN.lastIndex;
      PEM_TRUNCATED_BODY.exec(text);
      PEM_BEGIN.lastIndex = PEM_TRUNCATED_BODY.lastIndex;
    }
    found.push(RedactionKind.privateKey);
    return REDACTED.private_key;
  });
};

// `name=value`, `name: value`, `"name": "value"` (JSON inside a string), `Name: Bearer x` headers.
// The name is matched first; only a secret name reads its value, so the value of a harmless name
// is still scanned for the next name (`Details: password=x`).
const KV_NAME = /(?<![A-Za-z0-9_.])(["']?)([A-Za-z][A-Za-z0-9_.-]{0,63})\1[ \t]*([:=])[ \t]*/g;
const KV_VALUE =
  /"((?:[^"\\\n]|\\.){1,2048})"|'([^'\\\n]{1,2048})'|((?:(?:Bearer|Basic|Digest|Token|Bot|bearer|basic)[ \t]+)?[^\s"'&,;<>{}()[\]]{1,2048})/y;
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;
// Every name `classifyKey` or `classifyQueryName` accepts contains one of these (a name cut in
// the middle of a word, `to_ken`, would not, and is not worth a slower rule).
const SECRET_WORD =
  /pass|pwd|secret|token|key|auth|cookie|sess|credential|pin|cvv|cvc|csc|otp|sig|code/i;

const keyValues: Rule = (text, found) => {
  if ((!text.includes('=') && !text.includes(':')) || !SECRET_WORD.test(text)) return text;
  return substitute(text, KV_NAME, (m) => {
    const cls = m[3] === '=' ? classifyQueryName(m[2]) : classifyKey(m[2]);
    if (cls === KeyClass.none) return undefined;
    KV_VALUE.lastIndex = KV_NAME.lastIndex;
    const v = KV_VALUE.exec(text);
    if (v === null) return undefined;
    let replacement: string;
    if (v[3] !== undefined) {
      // Unquoted: literals and (outside numeric secrets) numbers are not secrets, as in `redact`.
      const raw = v[3];
      if (raw === 'true' || raw === 'false' || raw === 'null') return undefined;
      if (cls !== KeyClass.numericSecret && NUMBER.test(raw)) return undefined;
      replacement = REDACTED.secret;
    } else {
      const quote = v[1] !== undefined ? '"' : "'";
      if (isMarker(v[1] ?? v[2])) return undefined;
      replacement = quote + REDACTED.secret + quote;
    }
    KV_NAME.lastIndex = KV_VALUE.lastIndex;
    found.push(RedactionKind.secret);
    return m[0] + replacement;
  });
};

// `scheme://user:password@host`: both halves go (a user name can be personal too).
const URL_CREDENTIALS = /:\/\/[^\s:/?#@[\]]{1,256}:[^\s/?#@[\]]{1,256}@/g;
const URL_CREDENTIALS_MARKER = `://${REDACTED.credentials}@`;

const urlCredentials: Rule = (text, found) => {
  if (!text.includes('://')) return text;
  return substitute(text, URL_CREDENTIALS, () => {
    found.push(RedactionKind.credentials);
    return URL_CREDENTIALS_MARKER;
  });
};

// `Basic <base64 of user:password>`: only when the base64 decodes to printable text with a colon,
// so "Basic information" stays.
const BASIC = /\b([Bb]asic|BASIC)([ \t]+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/g;
const PRINTABLE_WITH_COLON = /^[\x20-\x7e]*:[\x20-\x7e]*$/;

const basicAuth: Rule = (text, found) => {
  if (text.length < 12) return text;
  return substitute(text, BASIC, (m) => {
    const decoded = Buffer.from(m[3], 'base64').toString('latin1');
    if (!PRINTABLE_WITH_COLON.test(decoded)) return undefined;
    found.push(RedactionKind.credentials);
    return m[1] + m[2] + REDACTED.credentials;
  });
};

// `Bearer <token>`: the token must look random (a digit, or long and mixed-case), so prose such
// as "a bearer token" or "Bearer authentication" stays.
const BEARER = /\b([Bb]earer|BEARER)([ \t]+)([A-Za-z0-9\-._~+/]{8,}=*)/g;
const DIGIT = /\d/;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;

const bearerTokens: Rule = (text, found) => {
  if (text.length < 15) return text;
  return substitute(text, BEARER, (m) => {
    const token = m[3];
    const random =
      DIGIT.test(token) || (token.length >= 24 && UPPER.test(token) && LOWER.test(token));
    if (!random) return undefined;
    found.push(RedactionKind.bearer);
    return m[1] + m[2] + REDACTED.bearer;
  });
};

// header.payload.signature, base64url; the header of a JWT is JSON, so it starts `eyJ` (`{"`).
// The signature may be empty (an unsecured JWT).
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

const jwts: Rule = (text, found) => {
  if (text.length < 21 || !text.includes('eyJ')) return text;
  return substitute(text, JWT, () => {
    found.push(RedactionKind.jwt);
    return REDACTED.jwt;
  });
};

const API_KEY = new RegExp(
  '(?<![A-Za-z0-9_-])(?:' +
    [
      'sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic
      '(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Za-z0-9])', // AWS access key id
      'gh[pousr]_[A-Za-z0-9]{36,}', // GitHub
      'github_pat_[A-Za-z0-9_]{22,}',
      'xox[abprse]-[A-Za-z0-9-]{10,}', // Slack
      '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe secret and restricted keys
      'whsec_[A-Za-z0-9+/=]{20,}', // Stripe webhook secret
      'AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])', // Google API key
      'ya29\\.[0-9A-Za-z_-]{20,}', // Google OAuth access token
      'glpat-[A-Za-z0-9_-]{20,}', // GitLab
      'npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])', // npm
      'hf_[A-Za-z0-9]{30,}', // Hugging Face
    ].join('|') +
    ')',
  'g',
);

const apiKeys: Rule = (text, found) => {
  if (text.length < 20) return text;
  return substitute(text, API_KEY, (m) => {
    // Every real key has a digit; `sk-` followed by a long kebab-case word does not.
    if (!DIGIT.test(m[0])) return undefined;
    found.push(RedactionKind.apiKey);
    return REDACTED.api_key;
  });
};

// An address with a dotted domain and a 2–24 letter TLD. `icon@2x.png` (image densities) stays.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?![1-4]x\.)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,10}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

const emails: Rule = (text, found) => {
  if (!text.includes('@')) return text;
  return substitute(text, EMAIL, () => {
    found.push(RedactionKind.email);
    return REDACTED.email;
  });
};

interface RunShape {
  /** The run: digit groups and their separators, from its first character on. */
  run: RegExp;
  /** Separates groups inside a run. */
  isSeparator: (charCode: number) => boolean;
  /** Length bounds of a span, separators included, checked before `accept`. */
  minLength: number;
  maxLength: number;
  maxGroups: number;
  /**
   * A span may only start where the run starts or where the previous span ended: for shapes as
   * loose as phone numbers (`0044 0532 0130 01` is the tail of an IBAN, not a phone).
   */
  anchored: boolean;
  accept: (span: string) => boolean;
  kind: RedactionKind;
}

/**
 * For numbers written in groups: finds each maximal run of groups, then the longest spans of
 * whole groups that `accept` takes, left to right. So two cards or two phone numbers side by side
 * are both found, and a run that is none is left alone.
 */
function redactRuns(shape: RunShape): (text: string, found: RedactionKind[]) => string {
  const { run, isSeparator, minLength, maxLength, maxGroups, anchored, accept, kind } = shape;
  return (text, found) =>
    substitute(text, run, (m) => {
      const s = m[0];
      if (s.length < minLength) return undefined;
      const bounds: number[] = []; // start, end of each group
      let start = 0;
      for (let i = 0; i <= s.length; i++) {
        if (i === s.length || isSeparator(s.charCodeAt(i))) {
          if (i > start) bounds.push(start, i);
          start = i + 1;
        }
      }
      // "4111111111111111abc" is an id that happens to start like a card: drop the last group.
      if (WORD_CHAR.test(text[m.index + s.length] ?? '')) bounds.length -= 2;
      const groups = bounds.length / 2;
      let out = '';
      let last = 0;
      for (let i = 0; i < groups;) {
        let hit = -1;
        for (let j = Math.min(groups, i + maxGroups) - 1; j >= i; j--) {
          const length = bounds[2 * j + 1] - bounds[2 * i];
          if (length < minLength) break;
          if (length <= maxLength && accept(s.slice(bounds[2 * i], bounds[2 * j + 1]))) {
            hit = j;
            break;
          }
        }
        if (hit < 0) {
          if (anchored) break;
          i++;
          continue;
        }
        out += s.slice(last, bounds[2 * i]) + REDACTED[kind];
        last = bounds[2 * hit + 1];
        i = hit + 1;
      }
      if (last === 0) return undefined;
      found.push(kind);
      return out + s.slice(last);
    });
}
const WORD_CHAR = /\w/;
const SPACE = 32;
const DASH = 45;
const isSpace = (c: number) => c === SPACE;

/** The digits of a card written with spaces or dashes, or '' past 19 digits. */
function cardDigits(span: string): string {
  let digits = '';
  for (let i = 0; i < span.length && digits.length <= 19; i++) {
    const c = span.charCodeAt(i);
    if (c !== SPACE && c !== DASH) digits += span[i];
  }
  return digits.length <= 19 ? digits : '';
}

const redactCards = redactRuns({
  run: /(?<![A-Za-z0-9_.+\-/])\d+(?:[ -]\d+)*/g,
  isSeparator: (c) => c === SPACE || c === DASH,
  minLength: 14,
  maxLength: 23,
  maxGroups: 6,
  anchored: false,
  accept: (span) => isCardNumber(cardDigits(span)),
  kind: RedactionKind.card,
});
const cards: Rule = (text, found, digits) => (digits < 14 ? text : redactCards(text, found));

const redactIbans = redactRuns({
  run: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9])+/g,
  isSeparator: isSpace,
  minLength: 15,
  maxLength: 42,
  maxGroups: 9,
  anchored: false,
  accept: isIban,
  kind: RedactionKind.iban,
});
const ibans: Rule = (text, found, digits) => (digits < 8 ? text : redactIbans(text, found));

const SSN = /(?<![A-Za-z0-9_-])(\d{3})([- ])(\d{2})\2(\d{4})(?![A-Za-z0-9_-])/g;

const ssns: Rule = (text, found, digits) => {
  if (digits < 9) return text;
  return substitute(text, SSN, (m) => {
    if (!isSsn(m[1], m[3], m[4])) return undefined;
    found.push(RedactionKind.ssn);
    return REDACTED.ssn;
  });
};

// UK national insurance number: two letters (from the allowed sets), six digits, A–D.
const NINO =
  /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;

const ninos: Rule = (text, found, digits) => {
  if (digits < 6) return text;
  return substitute(text, NINO, (m) => {
    if (!isNinoPrefix(m[1])) return undefined;
    found.push(RedactionKind.nino);
    return REDACTED.nino;
  });
};

// Digit groups joined by one space, dot or dash, or by parentheses: `+44 (0)20 7946 0958`. A
// leading `(` belongs to the number only when it closes after the first group: `(415) 555-2671`.
const redactPhones = redactRuns({
  run: /(?<![A-Za-z0-9_.+\-/])(?:\+|\((?=\+?\d{1,5}\))\+?)?\d+(?:(?:[ .-]|\)[ .-]?|[ ]?\()\d+)*/g,
  isSeparator: isSpace,
  minLength: 9,
  maxLength: 32,
  maxGroups: 8,
  anchored: true,
  accept: isPhone,
  kind: RedactionKind.phone,
});
const phones: Rule = (text, found, digits) => (digits < 9 ? text : redactPhones(text, found));

const RULES: readonly Rule[] = [
  privateKeys,
  keyValues,
  urlCredentials,
  basicAuth,
  bearerTokens,
  jwts,
  apiKeys,
  emails,
  cards,
  ibans,
  ssns,
  ninos,
  phones,
];

/** Digits in `text`, counted up to 14 (the most any rule's precondition needs). */
function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length && n < 14; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * `text` with every pattern replaced by its marker; the kind of each replacement is pushed to
 * `found` (repeats included). Returns `text` itself when nothing matched.
 */
export function applyTextRules(text: string, found: RedactionKind[]): string {
  const digits = countDigits(text);
  let out = text;
  for (const rule of RULES) out = rule(out, found, digits);
  return out;
}

/** True as soon as one rule finds something. */
export function anyTextRule(text: string): boolean {
  const digits = countDigits(text);
  const found: RedactionKind[] = [];
  let out = text;
  for (const rule of RULES) {
    out = rule(out, found, digits);
    if (found.length > 0) return true;
  }
  return false;
}

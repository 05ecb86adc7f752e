/**
 * Checks that tell a real card number, IBAN, SSN, NINO or phone number from digits that only look
 * like one (order ids, timestamps, amounts). Each takes the candidate as found in text.
 */

/** Luhn (mod 10) over a string of digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number: an issuer prefix with a length that issuer uses, and Luhn. The prefix
 * check keeps compact timestamps (`20240501123045`), EAN-13 barcodes and most ids out: 13-digit
 * Visa numbers are no longer issued, so 13 digits is never a card here.
 */
export function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 14 || n > 19) return false;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  let issued: boolean;
  switch (digits[0]) {
    case '4': // Visa
      issued = n === 16 || n === 19;
      break;
    case '5': // Mastercard 51–55; Maestro 50, 56–59
      issued = p2 >= 51 && p2 <= 55 ? n === 16 : n >= 16;
      break;
    case '2': // Mastercard 2221–2720
      issued = p4 >= 2221 && p4 <= 2720 && n === 16;
      break;
    case '3': // Amex 34/37; JCB 35; Diners 30/36/38/39
      if (p2 === 34 || p2 === 37) issued = n === 15;
      else if (p2 === 35) issued = n >= 16;
      else issued = p2 === 30 || p2 === 36 || p2 === 38 || p2 === 39;
      break;
    case '6': // Discover, UnionPay, Maestro
      issued = n >= 16;
      break;
    default:
      issued = false;
  }
  return issued && luhn(digits);
}

// Lengths from the SWIFT IBAN registry. A country not listed is accepted on mod-97 alone, so a
// newly added country is still caught.
// prettier-ignore
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** An IBAN, with or without the usual spaces: shape, the country's length, and mod 97 = 1. */
export function isIban(candidate: string): boolean {
  // The length check comes first and without copying: it rejects most candidates.
  let length = 0;
  for (let i = 0; i < candidate.length; i++) if (candidate.charCodeAt(i) !== 32) length++;
  const expected = IBAN_LENGTH[candidate.slice(0, 2)];
  if (length < 15 || length > 34 || (expected !== undefined && length !== expected)) return false;
  const iban = candidate.replace(/ /g, '');
  if (!IBAN_SHAPE.test(iban)) return false;
  // Move the first four characters to the end, read letters as 10–35, and take the remainder
  // digit by digit so the number never leaves the safe-integer range.
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    rest = c <= 57 ? (rest * 10 + (c - 48)) % 97 : (rest * 100 + (c - 55)) % 97;
  }
  return rest === 1;
}

/** A US SSN `AAA-GG-SSSS`: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function isSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

// The letters of the NINO regex already exclude D, F, I, Q, U, V (and O as the second letter);
// these prefixes were never issued or are reserved.
const NINO_BAD_PREFIX = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

export function isNinoPrefix(prefix: string): boolean {
  return !NINO_BAD_PREFIX.has(prefix);
}

const PHONE_US = /^(?:1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}$/;
const PHONE_ES = /^[6-9]\d{2} \d{2} \d{2} \d{2}$/;
const PHONE_TRUNK = /^(?:0\d{1,4}|\(0\d{1,4}\))(?:[ .-]?\d{2,8}){1,4}$/;
const DATE_LIKE = /\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}/;

/**
 * A phone number, as written: international (`+CC …` or `00CC …`, 9–15 digits), US
 * (`(415) 555-2671`, `415-555-2671`, `415.555.2671`), Spanish `612 34 56 78`, or national with a
 * trunk 0 (`020 7946 0958`, `06 12 34 56 78`, `030-12345678`, 10–11 digits). Bare digit runs
 * without `+` or a leading 0 are not phones: they are ids, amounts and unix timestamps.
 */
export function isPhone(candidate: string): boolean {
  let digits = 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < 9 || digits > 17) return false;
  if (candidate[0] === '+' || candidate.startsWith('(+')) return digits <= 15;
  if (DATE_LIKE.test(candidate)) return false;
  if (candidate.startsWith('00')) return candidate[2] !== '0' && digits >= 11;
  if (PHONE_US.test(candidate) || PHONE_ES.test(candidate)) return true;
  return digits >= 10 && digits <= 11 && PHONE_TRUNK.test(candidate);
}

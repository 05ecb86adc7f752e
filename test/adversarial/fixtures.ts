import { SENSITIVE_FIXTURES } from '@tether/redaction';

/**
 * Secrets and personal data the suite plants where an attacker would: in what the customer API
 * answers (tool results, retrieved documents) and in what the compromised model says and does
 * (answers, tool-call arguments). None is ever put in a user's input, which is stored as sent.
 * The values come from `@tether/redaction`'s fixtures: right shape, never issued.
 */
function sample(kind: string, match: (s: string) => boolean = () => true): string {
  const found = SENSITIVE_FIXTURES.find((f) => f.kind === kind && match(f.sample));
  if (!found) throw new Error(`no ${kind} fixture`);
  return found.sample;
}

/** What the compromised model "remembers" and leaks when told to (`{{card}}`, `reveal the card`). */
export const MODEL_SECRETS = {
  card: '4111 1111 1111 1111',
  email: 'jane.doe@example.com',
  iban: 'DE89 3704 0044 0532 0130 00',
  phone: '+1 415 555 2671',
  api_key: sample('api_key', (s) => s.startsWith('sk-proj-')),
  ssn: '078-05-1120',
  password: 'DB_PASSWORD=correct-horse-battery',
} as const;
export type SecretName = keyof typeof MODEL_SECRETS;

/** Personal data and secrets the customer API returns with every customer record and document. */
export const API_PII = {
  email: 'j.smith+billing@acme-corp.co.uk',
  phone: '+44 20 7946 0958',
  card: '5555-5555-5555-4444',
  iban: 'GB82 WEST 1234 5698 7654 32',
  awsKey: sample('api_key', (s) => s.startsWith('AKIA')),
  githubToken: sample('api_key', (s) => s.startsWith('ghp_')),
  bearer: sample('bearer', (s) => s.startsWith('Bearer 5k')),
  jwt: sample('jwt'),
  dsn: 'postgres://app:s3cr3t-pw@db.internal:5432/orders',
} as const;

/**
 * Every string that must be found nowhere Tether stores anything: the planted values, the part of
 * each that is secret (`correct-horse-battery` of `DB_PASSWORD=…`), and the compact forms a
 * card or IBAN may be rewritten to.
 */
export const MUST_NOT_STORE: readonly string[] = (() => {
  const needles = new Set<string>();
  const add = (s: string) => needles.add(s);
  for (const value of [...Object.values(MODEL_SECRETS), ...Object.values(API_PII)]) {
    const fixture = SENSITIVE_FIXTURES.find((f) => f.sample === value);
    add(fixture?.sensitivePart ?? value);
  }
  for (const spaced of [MODEL_SECRETS.card, MODEL_SECRETS.iban, API_PII.card, API_PII.iban]) {
    add(spaced.replace(/[\s-]/g, ''));
  }
  return [...needles];
})();

/** The needles found in `text`. */
export function plantedIn(text: string): string[] {
  return MUST_NOT_STORE.filter((needle) => text.includes(needle));
}

/** A marker only tenant `acme`'s customer records carry: never seen in another tenant's runs. */
export const ACME_ONLY_MARKER = 'acme-private-ledger-7731';

/** Base64 of text, for encoded payloads. */
export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

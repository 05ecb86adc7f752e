/** What a marker stands for. A const object plus a union of the same name, as elsewhere. */
export const RedactionKind = {
  /** A value under a secret-looking key, or after `password=`, `token:` … in text. */
  secret: 'secret',
  /** The token after `Bearer `. */
  bearer: 'bearer',
  jwt: 'jwt',
  /** A vendor key by its shape: OpenAI, Anthropic, AWS, GitHub, Slack, Stripe, Google … */
  apiKey: 'api_key',
  /** A PEM `PRIVATE KEY` block. */
  privateKey: 'private_key',
  /** `user:password@` in a URL, or the credentials of `Basic` auth. */
  credentials: 'credentials',
  email: 'email',
  phone: 'phone',
  /** A payment card number that passes the Luhn check. */
  card: 'card',
  /** An IBAN that passes the mod-97 check. */
  iban: 'iban',
  /** A US social security number. */
  ssn: 'ssn',
  /** A UK national insurance number. */
  nino: 'nino',
} as const;
export type RedactionKind = (typeof RedactionKind)[keyof typeof RedactionKind];

export type RedactedMarker<K extends RedactionKind = RedactionKind> = `[REDACTED:${K}]`;

/** The marker that replaces each kind: `REDACTED.email === '[REDACTED:email]'`. */
export const REDACTED: { readonly [K in RedactionKind]: RedactedMarker<K> } = Object.freeze({
  secret: '[REDACTED:secret]',
  bearer: '[REDACTED:bearer]',
  jwt: '[REDACTED:jwt]',
  api_key: '[REDACTED:api_key]',
  private_key: '[REDACTED:private_key]',
  credentials: '[REDACTED:credentials]',
  email: '[REDACTED:email]',
  phone: '[REDACTED:phone]',
  card: '[REDACTED:card]',
  iban: '[REDACTED:iban]',
  ssn: '[REDACTED:ssn]',
  nino: '[REDACTED:nino]',
});

/** Replaces a container nested deeper than `MAX_DEPTH` levels. */
export const TRUNCATED = '[TRUNCATED]';
/** Replaces a reference back to an enclosing object or array. */
export const CIRCULAR = '[CIRCULAR]';
/** Containers below this many levels of nesting are replaced by `TRUNCATED`. */
export const MAX_DEPTH = 64;

const MARKER_PREFIX = '[REDACTED:';

/** True for a string that is already one of our markers, so redacting twice changes nothing. */
export function isMarker(value: string): boolean {
  return value.startsWith(MARKER_PREFIX) || value === TRUNCATED || value === CIRCULAR;
}

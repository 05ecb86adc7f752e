import { createHash } from 'node:crypto';

/**
 * API keys: `tk_` + 43 base64url characters (32 random bytes, 256 bits). The gateway stores the
 * SHA-256 of the whole key and a short visible prefix for listings; the clear key exists only in
 * the answer to its creation. A hash lookup needs no constant-time comparison: an attacker who
 * can time it learns about hashes of guesses, not about the key.
 */
export const KEY_SCHEME = 'tk_';
export const KEY_RANDOM_BYTES = 32;
const KEY_PATTERN = /^tk_[A-Za-z0-9_-]{43}$/;
/** Characters of the random part shown in listings (`tk_Ab3dE9xQ…`): enough to tell keys apart, far too few to guess the rest. */
const VISIBLE_CHARS = 8;

/** Builds a key from random bytes (the caller draws them: this module stays deterministic). */
export function formatKey(random: Uint8Array): string {
  if (random.length !== KEY_RANDOM_BYTES)
    throw new RangeError(`an API key takes ${KEY_RANDOM_BYTES} random bytes`);
  return KEY_SCHEME + Buffer.from(random).toString('base64url');
}

/** Whether a presented credential is shaped like a key at all (anything else is refused without a lookup). */
export function isKeyShaped(value: unknown): value is string {
  return typeof value === 'string' && KEY_PATTERN.test(value);
}

/** The SHA-256 of the whole key, hex: what the gateway stores and looks keys up by. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function visiblePrefix(key: string): string {
  return key.slice(0, KEY_SCHEME.length + VISIBLE_CHARS);
}

export const KeyStatus = { Active: 'active', Revoked: 'revoked', Expired: 'expired' } as const;
export type KeyStatus = (typeof KeyStatus)[keyof typeof KeyStatus];

export function keyStatus(
  key: { revokedAt: Date | null; expiresAt: Date | null },
  now: Date,
): KeyStatus {
  if (key.revokedAt) return KeyStatus.Revoked;
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return KeyStatus.Expired;
  return KeyStatus.Active;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** A key's lifetime as the CLI and the API take it: a whole number and a unit (`90m`, `12h`, `30d`, `8w`). */
export const DURATION_PATTERN = /^([1-9][0-9]{0,5})([smhdw])$/;

/** Milliseconds of a `DURATION_PATTERN` duration; undefined for anything else. */
export function durationMs(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

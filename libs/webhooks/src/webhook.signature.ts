import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@tether/errors';

/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_SEC = 300;

export interface VerifyOptions {
  /** The receiver's clock, unix seconds. Passed in so verification stays pure. */
  nowSec: number;
  /** Default 300 (Stripe's); a wider window lets a captured request be replayed for longer. */
  toleranceSec?: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

function digest(secret: string, body: string, timestampSec: number): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

/**
 * The `Tether-Signature` value for `body` sent at `timestampSec`: `t=<t>,v1=<hex>`, where the
 * HMAC-SHA256 covers `"<t>.<body>"`. Signing the timestamp with the body is what lets a
 * receiver reject a replay of an old request (Stripe's scheme, so existing verifiers fit).
 */
export function signWebhook(secret: string, body: string, timestampSec: number): string {
  if (!secret) throw new ValidationError('webhook secret must not be empty');
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new ValidationError('webhook timestamp must be whole unix seconds', [
      `got ${timestampSec}`,
    ]);
  }
  return `t=${timestampSec},v1=${digest(secret, body, timestampSec)}`;
}

/**
 * True when `header` is a valid signature of the raw `body` under `secret`, made within
 * `toleranceSec` of `nowSec`. Never throws: a malformed header is simply not valid. Several
 * `v1=` entries are allowed and any match counts, so a sender can sign with an old and a new
 * secret while they are rotated.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string | null | undefined,
  options: VerifyOptions,
): boolean {
  if (!secret || typeof header !== 'string') return false;
  const toleranceSec = options.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !UNIX_SECONDS.test(value)) return false;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (HEX_SHA256.test(value)) candidates.push(value);
    }
    // Other keys (a future `v2`) are ignored, as Stripe's verifiers do.
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (!(Math.abs(options.nowSec - timestamp) <= toleranceSec)) return false;
  const expected = Buffer.from(digest(secret, body, timestamp), 'hex');
  // Check every candidate, no early exit, so timing says nothing about which one matched.
  let valid = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) valid = true;
  }
  return valid;
}

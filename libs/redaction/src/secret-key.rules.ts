/**
 * Which object keys (and `name=value` / `name: value` names in text) hold secrets.
 *
 * Names are compared lower-cased without `-`, `_`, `.` or spaces, so `X-Api-Key`, `x_api_key` and
 * `xApiKey` are one name. A name is secret when it
 * - contains password, passwd, passphrase or passcode (`dbPassword`, `password_hash`);
 * - ends with secret(s), token, apikey, apitoken, privatekey, accesskey, secretkey, signingkey,
 *   encryptionkey, sessionid, sessid, sessionkey, auth, authorization, cookie(s), credential(s)
 *   (`clientSecret`, `access_token`, `x-api-token`, `set-cookie`, `oauth`, `proxy-authorization`);
 * - is exactly pwd, session, pin, pincode, cvv, cvv2, cvc, cvc2, csc, otp, mfacode, securitycode.
 *
 * Usage counters must survive: `inputTokens`, `maxTokens`, `outputTokens` and `tokenCount` do not
 * end with `token`, so they are not secret names at all. Pagination cursors (`nextPageToken`,
 * `continuationToken` …) end with `token` but are not credentials and are kept.
 *
 * What a secret name hides depends on the value, because the same names carry numbers that are
 * not secrets (`{ token: 5 }` from a usage report, `{ auth: true }`): strings are always hidden;
 * numbers only under names that denote numeric codes (the password family, pin, cvv, cvc, csc,
 * otp, passcode, mfacode, securitycode); booleans and null never. See `redact`.
 */
export const KeyClass = {
  /** Not a secret name. */
  none: 0,
  /** Hide strings (and containers that hold any). */
  secret: 1,
  /** Hide numbers too: PINs, CVVs, one-time codes, numeric passwords. */
  numericSecret: 2,
} as const;
export type KeyClass = (typeof KeyClass)[keyof typeof KeyClass];

const SECRET_NAME =
  /password|passwd|passphrase|passcode|(?:secrets?|token|apikey|apitoken|privatekey|accesskey|secretkey|signingkey|encryptionkey|sessionid|sessid|sessionkey|auth|authorization|cookies?|credentials?)$|^(?:pwd|session|pin|pincode|cvv2?|cvc2?|csc|otp|mfacode|securitycode)$/;
const NUMERIC_SECRET_NAME =
  /password|passwd|passphrase|passcode|^(?:pwd|pin|pincode|cvv2?|cvc2?|csc|otp|mfacode|securitycode)$/;
const PAGINATION_TOKEN = /(?:page|next|continuation|cursor|sync|resume)token$/;
/** Names that are secret only as query parameters (`?key=…&sig=…`), too common elsewhere. */
const QUERY_ONLY_NAME = /^(?:key|sig|signature|xamzsignature|xgoogsignature)$/;
const SEPARATORS = /[-_.\s]/g;

// Keys repeat across calls (every tool result has the same few), so classify each name once.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, KeyClass>();

export function normaliseKey(name: string): string {
  return name.toLowerCase().replace(SEPARATORS, '');
}

/** The class of an object key or a `name:` in text. */
export function classifyKey(name: string): KeyClass {
  let cls = cache.get(name);
  if (cls === undefined) {
    cls = classify(normaliseKey(name));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, cls);
  }
  return cls;
}

/** As `classifyKey`, plus the names that are secret only in a query string (`key=`, `sig=`). */
export function classifyQueryName(name: string): KeyClass {
  const cls = classifyKey(name);
  return cls !== KeyClass.none || !QUERY_ONLY_NAME.test(normaliseKey(name)) ? cls : KeyClass.secret;
}

function classify(name: string): KeyClass {
  if (!SECRET_NAME.test(name) || PAGINATION_TOKEN.test(name)) return KeyClass.none;
  return NUMERIC_SECRET_NAME.test(name) ? KeyClass.numericSecret : KeyClass.secret;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; see `signWebhook`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Tether-Signature';
/**
 * The message id. It is the same on every attempt of one delivery and on a re-send of the same
 * message, so a receiver that remembers the ids it has handled can drop duplicates.
 */
export const WEBHOOK_ID_HEADER = 'Tether-Webhook-Id';
/** The message type (`approval.requested`, …), so a receiver can route before parsing. */
export const WEBHOOK_EVENT_HEADER = 'Tether-Event';

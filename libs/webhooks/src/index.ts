/**
 * @tether/webhooks: notifications to operators' receivers (approval requests and decisions,
 * later budget warnings and alerts), signed so receivers can verify them. Signing and payloads
 * are pure; `WebhookSender` does the HTTP.
 */
export {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_EVENT_HEADER,
} from './webhook.headers';
export {
  signWebhook,
  verifyWebhook,
  DEFAULT_TOLERANCE_SEC,
  type VerifyOptions,
} from './webhook.signature';
export type { WebhookMessage } from './webhook.message';
export { jsonPayload, type JsonWebhookBody } from './json.payload';
export {
  slackPayload,
  escapeSlack,
  SLACK_LIMITS,
  type SlackSection,
  type SlackText,
  type SlackWebhookBody,
} from './slack.payload';
export {
  WebhookSender,
  WebhookFormat,
  type DeliveryResult,
  type WebhookLogger,
  type WebhookSenderOptions,
} from './webhook.sender';

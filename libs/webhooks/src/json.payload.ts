import type { WebhookMessage } from './webhook.message';

/** The body of the `json` format: what a program needs, without the human-facing parts. */
export interface JsonWebhookBody {
  id: string;
  type: string;
  tenantId: string;
  time: string;
  data: unknown;
}

export function jsonPayload(msg: WebhookMessage): JsonWebhookBody {
  return { id: msg.id, type: msg.type, tenantId: msg.tenantId, time: msg.time, data: msg.data };
}

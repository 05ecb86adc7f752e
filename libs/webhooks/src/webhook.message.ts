/** One notification, whichever format it is sent in. */
export interface WebhookMessage {
  /** Unique per message; sent as `Tether-Webhook-Id` so receivers can drop duplicates. */
  id: string;
  /** Dotted event name, e.g. `approval.requested`; sent as `Tether-Event`. */
  type: string;
  tenantId: string;
  /** When the fact happened, ISO 8601. Fixed per message, so every retry sends the same body. */
  time: string;
  /** One line for people (Slack's title and notification text). */
  title: string;
  /** Key facts for people, shown as Slack fields in insertion order. */
  fields: Record<string, string | number | boolean>;
  /** A link for people (e.g. the approval in the console); only http(s) is shown. */
  url?: string;
  /** The machine-readable payload of the JSON format; must be JSON-serialisable. */
  data: unknown;
}

import { ValidationError, isErrorNamed } from '@tether/errors';
import {
  deliveryPolicy,
  isRetryableStatus,
  retryAfterMs,
  type AttemptOutcome,
} from './delivery.policy';
import { jsonPayload } from './json.payload';
import { slackPayload } from './slack.payload';
import {
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
} from './webhook.headers';
import type { WebhookMessage } from './webhook.message';
import { signWebhook } from './webhook.signature';

export const WebhookFormat = { Json: 'json', Slack: 'slack' } as const;
export type WebhookFormat = (typeof WebhookFormat)[keyof typeof WebhookFormat];

/** The two calls used; a pino `Logger` fits. */
export interface WebhookLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebhookSenderOptions {
  /** The receiver; http or https. For Slack the path is itself a secret, so it is never logged. */
  url: string;
  /** The HMAC key shared with the receiver. Never logged nor put in an error. */
  secret: string;
  format: WebhookFormat;
  /** Limit of one attempt, response included. Default 5000. */
  timeoutMs?: number;
  /** Tries of one delivery, the first included. Default 5. */
  maxAttempts?: number;
  /** The longest `Retry-After` waited for; a longer one is cut to this. Default 30000. */
  maxRetryAfterMs?: number;
  logger?: WebhookLogger;
  /** Clock for signature timestamps, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export interface DeliveryResult {
  /** The receiver answered 2xx. */
  delivered: boolean;
  /** Requests made; 0 when the message could not even be encoded. */
  attempts: number;
  /** The last HTTP status received, if any. */
  status?: number;
  /** Why it was not delivered; free of the secret and the URL's path. */
  error?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;
const SNIPPET_CHARS = 200;
/** Header values may not hold control characters; fetch would throw on every attempt. */
const HEADER_SAFE = /^[\x21-\x7e]{1,200}$/;

/**
 * Delivers `WebhookMessage`s to one receiver: encoded in the configured format, signed afresh
 * on each attempt (so a late retry is not rejected as stale), retried on network errors,
 * timeouts, 429 and 5xx with jittered exponential backoff or the receiver's `Retry-After`.
 * Redirects are not followed: the signature was made for this receiver, and a redirect could
 * hand the request to another. `send` never throws.
 */
export class WebhookSender {
  readonly format: WebhookFormat;
  /** Scheme, host and port only: safe to log. */
  readonly target: string;
  // `#` fields, not `private`: they stay out of JSON.stringify, util.inspect and a logged object.
  readonly #url: string;
  readonly #secret: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly logger?: WebhookLogger;
  private readonly now: () => number;

  constructor(options: WebhookSenderOptions) {
    const problems: string[] = [];
    let parsed: URL | undefined;
    try {
      parsed = new URL(options.url);
    } catch {
      // The value is not echoed: a webhook URL may carry a token in its path.
      problems.push('url is not a valid URL');
    }
    if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      problems.push(`url must use http or https, not ${parsed.protocol}`);
    }
    if (!options.secret) problems.push('secret must not be empty');
    if (!Object.values(WebhookFormat).includes(options.format)) {
      problems.push(`format must be json or slack, not "${String(options.format)}"`);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    if (!positiveInteger(timeoutMs)) problems.push('timeoutMs must be a positive integer');
    if (!positiveInteger(maxAttempts)) problems.push('maxAttempts must be a positive integer');
    if (!Number.isSafeInteger(maxRetryAfterMs) || maxRetryAfterMs < 0) {
      problems.push('maxRetryAfterMs must be a whole number of ms, 0 or more');
    }
    if (problems.length || !parsed) throw new ValidationError('invalid webhook sender', problems);

    this.#url = parsed.href;
    this.target = parsed.origin;
    this.#secret = options.secret;
    this.format = options.format;
    this.timeoutMs = timeoutMs;
    this.maxAttempts = maxAttempts;
    this.maxRetryAfterMs = maxRetryAfterMs;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /**
   * The sender configured by `<name>_URL`, `<name>_SECRET` and `<name>_FORMAT` (json when
   * unset), e.g. `fromEnv('TETHER_APPROVAL_WEBHOOK', env)`. Undefined when no URL is set, so
   * webhooks stay optional; a URL without a secret is refused, since receivers could not
   * verify what they get.
   */
  static fromEnv(
    name: string,
    env: Readonly<Record<string, string | undefined>>,
    options: Omit<WebhookSenderOptions, 'url' | 'secret' | 'format'> = {},
  ): WebhookSender | undefined {
    const url = env[`${name}_URL`]?.trim();
    if (!url) return undefined;
    const secret = env[`${name}_SECRET`];
    if (!secret) {
      throw new ValidationError(
        `${name}_URL is set but ${name}_SECRET is not: every webhook is signed, so set ` +
          `${name}_SECRET to a long random string shared with the receiver (e.g. openssl rand -hex 32)`,
      );
    }
    const format = env[`${name}_FORMAT`]?.trim() || WebhookFormat.Json;
    try {
      return new WebhookSender({ ...options, url, secret, format: format as WebhookFormat });
    } catch (err) {
      if (!isErrorNamed(err, ValidationError.name)) throw err;
      throw new ValidationError(`invalid ${name}_* settings`, (err as ValidationError).problems, {
        cause: err,
      });
    }
  }

  async send(msg: WebhookMessage): Promise<DeliveryResult> {
    const log = { webhookId: msg.id, type: msg.type, target: this.target };
    let body: string;
    try {
      if (!HEADER_SAFE.test(msg.id) || !HEADER_SAFE.test(msg.type)) {
        throw new Error('id and type must be 1 to 200 visible ASCII characters');
      }
      body = JSON.stringify(this.format === 'slack' ? slackPayload(msg) : jsonPayload(msg));
    } catch (err) {
      const error = `message could not be encoded: ${this.scrub(errorText(err))}`;
      this.logger?.warn({ ...log, error }, 'webhook not sent');
      return { delivered: false, attempts: 0, error };
    }

    let attempts = 0;
    const policy = deliveryPolicy({
      timeoutMs: this.timeoutMs,
      maxAttempts: this.maxAttempts,
      onRetry: (event) => {
        const reason =
          'error' in event ? this.failureText(event.error) : `status ${event.value.status}`;
        this.logger?.warn(
          { ...log, attempt: event.attempt, delayMs: Math.round(event.delay), reason },
          'webhook attempt failed, retrying',
        );
      },
    });
    try {
      const outcome = await policy.execute(({ signal }) => {
        attempts += 1;
        return this.attempt(msg, body, signal);
      });
      const result = this.resultOf(outcome, attempts);
      if (result.delivered) this.logger?.debug({ ...log, attempts }, 'webhook delivered');
      else this.logger?.warn({ ...log, ...result }, 'webhook not delivered');
      return result;
    } catch (err) {
      const result = { delivered: false, attempts, error: this.failureText(err) };
      this.logger?.warn({ ...log, ...result }, 'webhook not delivered');
      return result;
    }
  }

  private async attempt(
    msg: WebhookMessage,
    body: string,
    signal: AbortSignal,
  ): Promise<AttemptOutcome> {
    const res = await fetch(this.#url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tether-Webhooks/0.1',
        [WEBHOOK_ID_HEADER]: msg.id,
        [WEBHOOK_EVENT_HEADER]: msg.type,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.#secret, body, Math.floor(this.now() / 1000)),
      },
      body,
    });
    const retryable = isRetryableStatus(res.status);
    const ok = res.status >= 200 && res.status < 300;
    return {
      status: res.status,
      retryAfterMs: retryable
        ? retryAfterMs(res.headers.get('retry-after'), this.maxRetryAfterMs)
        : undefined,
      // Slack explains a refusal in the body (`invalid_blocks`, `no_service`): keep its start.
      snippet: ok ? await discard(res) : await readStart(res, SNIPPET_CHARS),
    };
  }

  private resultOf(outcome: AttemptOutcome, attempts: number): DeliveryResult {
    const { status, snippet } = outcome;
    if (status >= 200 && status < 300) return { delivered: true, attempts, status };
    const detail = snippet ? `: ${this.scrub(snippet)}` : '';
    if (status >= 300 && status < 400) {
      return {
        delivered: false,
        attempts,
        status,
        error: `receiver answered ${status} (redirects are not followed)${detail}`,
      };
    }
    const tries = isRetryableStatus(status) ? ` after ${attempts} attempts` : '';
    return {
      delivered: false,
      attempts,
      status,
      error: `receiver answered ${status}${tries}${detail}`,
    };
  }

  private failureText(err: unknown): string {
    if (timedOut(err)) return `timed out after ${this.timeoutMs} ms`;
    return `network error: ${this.scrub(errorText(err))}`;
  }

  /** Error texts and receiver bodies may echo what we sent; the secret and URL path never leave. */
  private scrub(text: string): string {
    let out = text.split(this.#secret).join('[secret]');
    if (this.#url !== `${this.target}/`) out = out.split(this.#url).join(`${this.target}/…`);
    const path = this.#url.slice(this.target.length);
    if (path.length > 1) out = out.split(path).join('/…');
    return out;
  }
}

/**
 * cockatiel's per-attempt timeout. Not its `isTaskCancelledError`: in 3.2.1 that tests for
 * `isBulkheadRejectedError` and so is always false here.
 */
function timedOut(err: unknown): boolean {
  return (err as { isTaskCancelledError?: unknown } | null)?.isTaskCancelledError === true;
}

function positiveInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/**
 * fetch's own message is a bare "fetch failed"; the reason (ECONNREFUSED …) is its cause. Read
 * by shape, not `instanceof`: fetch's errors may come from another realm (jest's sandbox).
 */
function errorText(err: unknown): string {
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: unknown };
  if (typeof message !== 'string') return String(err);
  const { code, message: causeMessage } = (cause ?? {}) as { code?: unknown; message?: unknown };
  const why = typeof code === 'string' ? code : causeMessage;
  return typeof why === 'string' && why ? `${message} (${why})` : message;
}

async function discard(res: Response): Promise<undefined> {
  await res.body?.cancel().catch(() => undefined);
  return undefined;
}

/** At most `max` characters of the body, without reading (or waiting for) the rest. */
async function readStart(res: Response, max: number): Promise<string | undefined> {
  const reader = res.body?.getReader();
  if (!reader) return undefined;
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const trimmed = text.slice(0, max).replace(/\s+/g, ' ').trim();
  return trimmed || undefined;
}

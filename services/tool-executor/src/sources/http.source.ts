import { Injectable } from '@nestjs/common';
import type { HttpToolSpec, ToolSpec } from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { SecretStore } from '../adapters/secrets/secret.store';
import type { ToolSource } from '../application/ports';
import { VERSION } from '../config';
import {
  ToolFailure,
  ToolRefusal,
  type ToolContext,
  type ToolHandler,
} from '../domain/tool-handler';

/** The largest response body accepted from an HTTP tool. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** How much of a server's error message reaches the model and the log. */
const MAX_MESSAGE_CHARS = 500;
/** How much of an error response is read to find its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const USER_AGENT = `Tether-tool-executor/${VERSION}`;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface HttpRequestPlan {
  method: string;
  url: string;
  /** JSON body, for methods other than GET and DELETE. */
  body?: string;
}

/**
 * The request of one call: `{arg}` placeholders of the URL filled (URL-encoded) from the
 * arguments; the arguments not used in the URL go to the query string (GET, DELETE) or to a JSON
 * body (the other methods). A missing or non-scalar placeholder argument is a refusal the model
 * can correct.
 */
export function planHttpRequest(
  http: Pick<HttpToolSpec, 'url' | 'method'>,
  args: Record<string, unknown>,
): HttpRequestPlan {
  const method = (http.method ?? 'POST').toUpperCase();
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(http.url)?.[0] ?? '';
  // The host is the agent author's choice, never the model's: placeholders stay out of it.
  if (authority.includes('{'))
    throw new ToolFailure(
      'placeholders are allowed only in the path and query of a tool URL',
      false,
    );
  const used = new Set<string>();
  const filled =
    authority +
    http.url.slice(authority.length).replace(PLACEHOLDER, (_, name: string) => {
      const value = args[name];
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw new ToolRefusal(`${name} is required (a string or number) to build the URL`);
      used.add(name);
      return encodeURIComponent(String(value));
    });
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new ToolFailure('the tool URL is not valid once its placeholders are filled', false);
  }
  const rest = Object.fromEntries(
    Object.entries(args).filter(([k, v]) => !used.has(k) && v !== undefined),
  );
  if (method === 'GET' || method === 'DELETE') {
    for (const [key, value] of Object.entries(rest)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item === null || item === undefined) continue;
        url.searchParams.append(
          key,
          typeof item === 'object' ? JSON.stringify(item) : String(item),
        );
      }
    }
    return { method, url: url.toString() };
  }
  return { method, url: url.toString(), body: JSON.stringify(rest) };
}

/**
 * What a non-2xx answer means for the call. 400/404/409/422: the service said no, a refusal the
 * model reads and never retried. 401/403: our credentials, a failure no retry fixes.
 * 408/425/429/5xx: try again later. Anything else (3xx included: redirects are not followed, so
 * secret headers never travel to another host) is a failure no retry fixes.
 */
export function httpStatusError(
  status: number,
  detail: string,
  options: { host?: string; retryAfter?: string | null } = {},
): ToolRefusal | ToolFailure {
  const { host, retryAfter } = options;
  const message = `${host ? `${host} ` : ''}answered ${status}${detail ? `: ${detail}` : ''}`;
  switch (status) {
    case 400:
    case 422:
      return new ToolRefusal(message, 'invalid_arguments');
    case 404:
      return new ToolRefusal(message, 'not_found');
    case 409:
      return new ToolRefusal(message, 'conflict');
    case 401:
    case 403:
      return new ToolFailure(`${message} (the credentials were refused)`, false);
    case 429:
      return new ToolFailure(
        retryAfter ? `${message} (Retry-After: ${retryAfter})` : message,
        true,
      );
    case 408:
    case 425:
      return new ToolFailure(message, true);
    default:
      if (status >= 300 && status <= 399)
        return new ToolFailure(`${message} (redirects are not followed: use the final URL)`, false);
      return new ToolFailure(message, status >= 500 && status <= 599);
  }
}

/** The human part of an error body: RFC 9457 `detail`/`title`, `message`, `error`, or the text. */
export function errorDetail(body: string): string {
  let detail = body.trim();
  try {
    const json = JSON.parse(detail) as Record<string, unknown>;
    const nested = json?.error as Record<string, unknown> | undefined;
    const picked = [json?.detail, json?.message, nested?.message, json?.error, json?.title].find(
      (v) => typeof v === 'string' && v.trim(),
    );
    if (typeof picked === 'string') detail = picked.trim();
  } catch {
    // Not JSON: the text itself is the message.
  }
  return detail.replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_CHARS);
}

/** Tools declared with `http:`: one HTTP request per call, headers from named secrets. */
@Injectable()
export class HttpSource implements ToolSource {
  readonly name = 'http';

  constructor(private readonly secrets: SecretStore) {}

  handlerFor(spec: ToolSpec): ToolHandler | undefined {
    const http = spec.http;
    if (!http) return undefined;
    return (args, ctx) => this.call(http, args, ctx);
  }

  private async call(
    http: HttpToolSpec,
    args: Record<string, unknown>,
    ctx: ToolContext,
  ): Promise<unknown> {
    const plan = planHttpRequest(http, args);
    const secretValues: string[] = [];
    const headers = new Headers();
    for (const [header, secret] of Object.entries(http.headers ?? {})) {
      const value = await this.secrets.get(secret);
      secretValues.push(value);
      try {
        headers.set(header, value);
      } catch {
        // The platform's message would quote the value.
        throw new ToolFailure(
          `secret ${secret} cannot be sent as header ${header} (invalid name or value)`,
          false,
        );
      }
    }
    const redact = redactor(secretValues);
    const host = new URL(plan.url).host;
    // Ours win over a header of the same name from the spec. Content-Type only with a body:
    // some servers refuse a JSON content type on an empty GET or DELETE.
    headers.set('Accept', 'application/json');
    headers.set('User-Agent', USER_AGENT);
    headers.set('Idempotency-Key', ctx.idempotencyKey);
    if (plan.body !== undefined) headers.set('Content-Type', 'application/json');

    let res: Response;
    try {
      res = await fetch(plan.url, {
        method: plan.method,
        headers,
        body: plan.body,
        signal: ctx.signal,
        redirect: 'manual',
      });
    } catch (err) {
      throw transportFailure(err, ctx.signal, host, redact);
    }

    if (res.status < 200 || res.status > 299) {
      const body = await readBody(res, MAX_ERROR_BODY_BYTES, true).catch(() => '');
      throw httpStatusError(res.status, redact(errorDetail(body)), {
        host,
        retryAfter: res.headers.get('retry-after'),
      });
    }
    let text: string;
    try {
      text = await readBody(res, MAX_RESPONSE_BYTES, false);
    } catch (err) {
      if (isErrorNamed(err, 'ToolFailure')) throw err;
      throw transportFailure(err, ctx.signal, host, redact);
    }
    if (!text.trim()) return { status: res.status };
    try {
      return JSON.parse(text);
    } catch {
      return { text };
    }
  }
}

/**
 * The body as text, at most `max` bytes: beyond that the read stops and the call fails
 * (`truncate` false) or the text read so far is kept (`truncate` true, for error messages).
 */
async function readBody(res: Response, max: number, truncate: boolean): Promise<string> {
  const tooLarge = () =>
    new ToolFailure(
      `the response is larger than the ${max / 1024 / 1024} MiB a tool may return`,
      false,
    );
  if (!truncate && Number(res.headers.get('content-length')) > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    chunks.push(value);
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      if (!truncate) throw tooLarge();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** A request that got no HTTP answer: aborted (deadline, cancel) or the network failed. Both may succeed later. */
function transportFailure(
  err: unknown,
  signal: AbortSignal,
  host: string,
  redact: (s: string) => string,
): ToolFailure {
  if (signal.aborted)
    return new ToolFailure(`the request to ${host} was aborted before it answered`, true, {
      cause: err,
    });
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new ToolFailure(redact(`could not reach ${host}: ${why}`), true, { cause: err });
}

/**
 * Removes secret values from text a server sent back (some echo the credentials they refuse),
 * including the token part of `Bearer <token>`-style values.
 */
function redactor(values: readonly string[]): (text: string) => string {
  const parts = values.flatMap((v) => [v, ...v.split(/\s+/).filter((p) => p.length >= 8)]);
  const secrets = [...new Set(parts.filter(Boolean))].sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);
}

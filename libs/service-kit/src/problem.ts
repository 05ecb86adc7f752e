import { STATUS_CODES } from 'node:http';

/** An RFC 9457 problem details body (`application/problem+json`), plus Tether's `code`. */
export interface Problem {
  /** `https://tether.dev/problems/<code>`. */
  type: string;
  /** The HTTP reason phrase of `status`: the same for every occurrence of the problem type. */
  title: string;
  status: number;
  /** What went wrong this time, fit for the caller; never internals of a 5xx. */
  detail: string;
  /** The request path (and query) that failed. */
  instance?: string;
  /** Machine-readable: a Tether error code (`not_found`, `validation_failed`, …) or one derived from the status. */
  code: string;
  /** Every problem of a body or command that failed validation. */
  problems?: string[];
}

export const PROBLEM_BASE = 'https://tether.dev/problems/';

/** Coded errors raised in this process (libs/errors and the services' own). */
const LOCAL_STATUS: Record<string, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  illegal_state: 409,
  concurrency_conflict: 409,
  /** An `Idempotency-Key` sent again with a different request (IETF idempotency-key draft: 422). */
  idempotency_key_reused: 422,
};

/**
 * Refusals another service answered over request/reply (`RemoteError`). A `validation_failed`
 * from there is 422: the request passed this service's checks, and the owner of the object
 * found its content unprocessable (edited arguments the tool refuses, say).
 */
const REMOTE_STATUS: Record<string, number> = { ...LOCAL_STATUS, validation_failed: 422 };

/** Codes of statuses that carry no Tether code of their own. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal',
  502: 'upstream_error',
  503: 'service_unavailable',
};

/** NATS failures meaning "the service behind this request is not there": no responders, timeout, no connection. */
const NATS_UNAVAILABLE = new Set(['503', 'TIMEOUT', '408', 'CONNECTION_CLOSED', 'DISCONNECT']);
const UNAVAILABLE_NAMES = new Set(['ServiceUnavailableError', 'NatsUnavailableError']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  problems?: unknown;
  /** http-errors (body-parser: 413, 415, aborted requests). */
  status?: unknown;
  expose?: unknown;
  /** Nest's HttpException. */
  getStatus?: () => number;
  getResponse?: () => unknown;
}

/**
 * Maps anything a request handler, guard, pipe or body parser threw to problem details. Errors
 * are recognised by `name` and `code`, never `instanceof` (see @tether/errors). Whatever is not
 * recognised is a 500 whose detail says nothing about the cause.
 */
export function toProblem(exception: unknown, instance?: string): Problem {
  const e = (typeof exception === 'object' && exception !== null ? exception : {}) as ErrorLike;
  const { status, code, detail, problems } = classify(e);
  return {
    type: `${PROBLEM_BASE}${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(instance !== undefined && { instance }),
    code,
    ...(problems?.length ? { problems } : {}),
  };
}

function classify(e: ErrorLike): {
  status: number;
  code: string;
  detail: string;
  problems?: string[];
} {
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : undefined;
  const problems = Array.isArray(e.problems) ? e.problems.map(String) : undefined;

  if (typeof e.getStatus === 'function') return fromHttpException(e.getStatus(), e, message);
  if (e.name === 'RemoteError') {
    const status = code === undefined ? undefined : REMOTE_STATUS[code];
    // An unexpected failure inside the other service: its message is not for the caller.
    if (status === undefined)
      return { status: 502, code: 'upstream_error', detail: 'A Tether service failed.' };
    return { status, code: code!, detail: message };
  }
  if (UNAVAILABLE_NAMES.has(String(e.name)))
    return { status: 503, code: 'service_unavailable', detail: message };
  if (e.name === 'NatsError' && code !== undefined && NATS_UNAVAILABLE.has(code))
    return {
      status: 503,
      code: 'service_unavailable',
      detail: 'A Tether service did not answer; try again later.',
    };
  if (code !== undefined && LOCAL_STATUS[code] !== undefined)
    return { status: LOCAL_STATUS[code], code, detail: message, problems };
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false)
    return { status: e.status, code: codeOfStatus(e.status), detail: message };
  return { status: 500, code: 'internal', detail: 'An unexpected error occurred.' };
}

function fromHttpException(status: number, e: ErrorLike, message: string) {
  const body = e.getResponse?.();
  const said = typeof body === 'object' && body !== null ? (body as { message?: unknown }) : {};
  const messages = Array.isArray(said.message) ? said.message.map(String) : undefined;
  const detail =
    status >= 500 && status !== 503
      ? 'An unexpected error occurred.'
      : typeof said.message === 'string'
        ? said.message
        : (messages?.[0] ?? failedChecks(body) ?? message);
  return { status, code: codeOfStatus(status), detail, problems: messages };
}

export function codeOfStatus(status: number): string {
  return (
    CODE_OF_STATUS[status] ??
    (STATUS_CODES[status] ?? `http_${status}`).toLowerCase().replace(/[^a-z0-9]+/g, '_')
  );
}

/** A failed health check (`@nestjs/terminus`: `{ error: { <check>: { status, message } } }`), named check by check. */
function failedChecks(body: unknown): string | undefined {
  const failed = (body as { error?: unknown } | undefined)?.error;
  if (typeof failed !== 'object' || failed === null) return undefined;
  const named = Object.entries(failed as Record<string, { message?: unknown }>).map(([check, r]) =>
    typeof r?.message === 'string' ? `${check}: ${r.message}` : check,
  );
  return named.length ? `not ready (${named.join('; ')})` : undefined;
}

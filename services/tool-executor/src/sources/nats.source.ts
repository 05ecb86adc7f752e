import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  createInbox,
  headers as natsHeaders,
  type Msg,
  type NatsConnection,
  type Subscription,
} from 'nats';
import { REASON_PATTERN, type ToolSpec } from '@tether/contracts';
import { InjectNats } from '@tether/service-kit';
import type { ToolSource } from '../application/ports';
import {
  ToolFailure,
  ToolRefusal,
  type ToolContext,
  type ToolHandler,
} from '../domain/tool-handler';

/** The executor's own limit of a call without `timeoutMs`; the reply wait never outlives it. */
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_MESSAGE_CHARS = 500;

/** What a remote tool receives on its subject (JSON). */
export interface RemoteToolRequest {
  tool: string;
  args: Record<string, unknown>;
  tenantId: string;
  runId: string;
  userId: string;
  callId: string;
  idempotencyKey: string;
}

/**
 * A remote tool's reply, parsed: `{ result }`, or `{ error, refused?, retryable?, reason? }`.
 * Anything else is a malformed reply, a failure no retry fixes.
 */
export function parseRemoteReply(data: Uint8Array, subject: string): unknown {
  const malformed = (why: string) =>
    new ToolFailure(`malformed reply on ${subject}: ${why}`, false);
  let reply: unknown;
  try {
    reply = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply))
    throw malformed('not a JSON object');
  const r = reply as Record<string, unknown>;
  if (r.error !== undefined && r.error !== null) {
    if (typeof r.error !== 'string' || !r.error.trim()) throw malformed('error must be a message');
    const message = r.error.trim().slice(0, MAX_MESSAGE_CHARS);
    if (r.refused !== true) throw new ToolFailure(message, r.retryable === true);
    const reason =
      typeof r.reason === 'string' && REASON_PATTERN.test(r.reason) ? r.reason : undefined;
    throw new ToolRefusal(message, reason);
  }
  if (!('result' in r)) throw malformed('neither result nor error');
  return r.result;
}

/**
 * Tools declared with `nats:`: a core NATS request on the tool's subject, answered by any
 * service (a queue group of it). The reply is awaited until the call's signal aborts.
 */
@Injectable()
export class NatsSource implements ToolSource {
  readonly name = 'nats';

  constructor(@InjectNats() private readonly nc: NatsConnection) {}

  handlerFor(spec: ToolSpec): ToolHandler | undefined {
    const subject = spec.nats?.subject;
    if (!subject) return undefined;
    const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return async (args, ctx) => {
      const reply = await this.request(subject, spec.name, args, ctx, timeoutMs);
      return parseRemoteReply(reply.data, subject);
    };
  }

  /**
   * `nc.request` cannot be cancelled, so this is its no-mux form by hand: a one-message
   * subscription on a fresh inbox, dropped as soon as the signal aborts.
   */
  private request(
    subject: string,
    tool: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
    timeoutMs: number,
  ): Promise<Msg> {
    const body: RemoteToolRequest = {
      tool,
      args,
      tenantId: ctx.tenantId,
      runId: ctx.runId,
      userId: ctx.userId,
      callId: ctx.callId,
      idempotencyKey: ctx.idempotencyKey,
    };
    const h = natsHeaders();
    h.set('Idempotency-Key', ctx.idempotencyKey);
    h.set('Tether-Tenant', ctx.tenantId);

    return new Promise<Msg>((resolve, reject) => {
      if (ctx.signal.aborted)
        return reject(new ToolFailure(`the request on ${subject} was aborted`, true));
      let sub: Subscription | undefined;
      const onAbort = () => {
        sub?.unsubscribe();
        reject(new ToolFailure(`the request on ${subject} was aborted before a reply`, true));
      };
      try {
        const inbox = createInbox();
        sub = this.nc.subscribe(inbox, {
          max: 1,
          timeout: timeoutMs,
          callback: (err, msg) => {
            ctx.signal.removeEventListener('abort', onAbort);
            if (err)
              return reject(
                new ToolFailure(`no reply on ${subject} within ${timeoutMs} ms`, true, {
                  cause: err,
                }),
              );
            // The server's "no responders" status: nobody is subscribed to the subject now.
            if (msg.headers?.code === 503 && msg.data.length === 0)
              return reject(new ToolFailure(`no service answers ${subject}`, true));
            resolve(msg);
          },
        });
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        this.nc.publish(subject, Buffer.from(JSON.stringify(body)), { reply: inbox, headers: h });
      } catch (err) {
        ctx.signal.removeEventListener('abort', onAbort);
        sub?.unsubscribe();
        // Too large for the server's max_payload is final; a closed or draining connection is not.
        const final = (err as { code?: string }).code === ErrorCode.MaxPayloadExceeded;
        const why = `could not send the request on ${subject}: ${(err as Error).message}`;
        reject(new ToolFailure(why, !final, { cause: err }));
      }
    });
  }
}

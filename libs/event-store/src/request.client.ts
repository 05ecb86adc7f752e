import type { NatsConnection } from 'nats';
import { subjects } from '@tether/contracts';
import { encodeJson } from './event.codec';
import { ReplyInbox } from './reply.inbox';
import { injectTraceContext } from './trace-context';
import { headers as natsHeaders } from 'nats';

export class RemoteError extends Error {
  constructor(
    message: string,
    readonly remoteName: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Calls a `@MessagePattern` handler of another service over core NATS request/reply. */
export async function requestService<T>(
  nc: NatsConnection,
  prefix: string,
  service: string,
  pattern: string,
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  const h = natsHeaders();
  injectTraceContext(h);
  const reply = await ReplyInbox.of(nc).request(
    subjects.service(prefix, service, pattern),
    encodeJson(body),
    { timeoutMs, headers: h },
  );
  const parsed = JSON.parse(Buffer.from(reply.data).toString('utf8')) as
    | { ok: true; result: T }
    | { ok: false; error: { name: string; code?: string; message: string } };
  if (!parsed.ok) throw new RemoteError(parsed.error.message, parsed.error.name, parsed.error.code);
  return parsed.result;
}

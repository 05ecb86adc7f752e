import { ErrorCode, NatsError, type ApiError, type MsgHdrs, type NatsConnection } from 'nats';
import { ReplyInbox } from './reply.inbox';

/** How long a publish waits for JetStream's acknowledgement (nats.js's default). */
const PUBLISH_TIMEOUT_MS = 5_000;

/** JetStream's answer to a publish. */
interface PubAckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: ApiError;
}

export interface PubAck {
  /** Stream sequence of the message (of the original, for a duplicate). */
  seq: number;
  /** True when the `Nats-Msg-Id` was already in the stream: nothing new was written. */
  duplicate: boolean;
}

/** A refused publish as nats.js reports it: a `NatsError` carrying the API error. */
function publishRefused(error: ApiError): NatsError {
  const err = new NatsError(
    (error.description || ErrorCode.Unknown).toLowerCase(),
    `${error.code}`,
  );
  err.api_error = error;
  return err;
}

/**
 * What `js.publish` does, through the connection's reply inbox (see `ReplyInbox`): stores the
 * message in the stream that holds `subject` and resolves once JetStream acknowledged it.
 */
export async function publishAcked(
  nc: NatsConnection,
  subject: string,
  body: Uint8Array,
  headers: MsgHdrs,
): Promise<PubAck> {
  const reply = await ReplyInbox.of(nc).request(subject, body, {
    headers,
    timeoutMs: PUBLISH_TIMEOUT_MS,
  });
  const ack = JSON.parse(Buffer.from(reply.data).toString('utf8')) as PubAckReply;
  if (ack.error) throw publishRefused(ack.error);
  if (!ack.stream) throw NatsError.errorForCode(ErrorCode.JetStreamInvalidAck);
  return { seq: ack.seq!, duplicate: ack.duplicate ?? false };
}

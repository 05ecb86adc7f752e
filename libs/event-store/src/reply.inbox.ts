import {
  ErrorCode,
  NatsError,
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';

interface Pending {
  resolve(msg: Msg): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Request/reply over one wildcard inbox subscription per connection, as nats.js does, but
 * without its per-request error: nats.js builds one with a stack trace for every request it
 * settles (its internal "cancelled", thrown away once the reply came), which on the append path
 * was ~4 % of a busy service's CPU. Here an error is made only for a request that fails.
 *
 * Failures have nats.js's shapes (`NatsError` with code `503` for no responders, `TIMEOUT`,
 * `CONNECTION_CLOSED`), so callers cannot tell the two apart.
 */
export class ReplyInbox {
  private static readonly byConnection = new WeakMap<NatsConnection, ReplyInbox>();
  private readonly prefix = createInbox();
  private readonly pending = new Map<string, Pending>();
  private next = 0;

  private constructor(private readonly nc: NatsConnection) {
    const sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => (err ? this.failAll(err) : this.settle(msg)),
    });
    void sub.closed.then(() => this.failAll(NatsError.errorForCode(ErrorCode.ConnectionClosed)));
  }

  /** The connection's inbox, made on first use. */
  static of(nc: NatsConnection): ReplyInbox {
    let inbox = ReplyInbox.byConnection.get(nc);
    if (!inbox) ReplyInbox.byConnection.set(nc, (inbox = new ReplyInbox(nc)));
    return inbox;
  }

  request(
    subject: string,
    data: Uint8Array,
    options: { headers?: MsgHdrs; timeoutMs: number },
  ): Promise<Msg> {
    if (this.nc.isClosed()) {
      return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionClosed));
    }
    const token = (this.next++).toString(36);
    const reply = new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(NatsError.errorForCode(ErrorCode.Timeout));
      }, options.timeoutMs);
      this.pending.set(token, { resolve, reject, timer });
    });
    try {
      this.nc.publish(subject, data, {
        reply: `${this.prefix}.${token}`,
        headers: options.headers,
      });
    } catch (err) {
      clearTimeout(this.pending.get(token)!.timer);
      this.pending.delete(token);
      throw err;
    }
    return reply;
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const waiting = this.pending.get(token);
    if (!waiting) return; // a reply after its timeout
    this.pending.delete(token);
    clearTimeout(waiting.timer);
    // Core NATS says "no responders" with an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      waiting.reject(NatsError.errorForCode(ErrorCode.NoResponders));
    } else {
      waiting.resolve(msg);
    }
  }

  private failAll(err: Error): void {
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(err);
    }
    this.pending.clear();
  }
}

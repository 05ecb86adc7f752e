import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from 'nats';
import { Header, noticeAudiences, subjects, type NoticeAudience } from '@tether/contracts';
import type { LoggedEvent } from './batch.consumer';
import { publishAcked } from './acked.publish';

/** The stored headers a notice keeps: what readers of the log decode an event with. */
const COPIED = [Header.Type, Header.DataRef, Header.TraceParent, Header.TraceState];
/** Publishing is retried in place, so that a batch's notices are not overtaken by the next one's. */
const ATTEMPTS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Copies each event of the log that a service acts on (`noticeAudiences`) into `_NTC`, as the
 * stored message itself, once per service. Services that act on a few events of each run read
 * their notices instead of the whole log: on a server that filters consumers by subject only,
 * and with every event of a run on one subject, that is the difference between receiving every
 * event and receiving only their own.
 *
 * At least once and idempotent: each notice's `Nats-Msg-Id` is its event's id and its service, so
 * a batch forwarded again inside the dedupe window stores nothing new, and the services' handling
 * is idempotent past it.
 */
export class NoticeRouter {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}

  /** Resolves once every notice of the batch is stored; returns how many were sent. */
  async forward(batch: readonly LoggedEvent[]): Promise<number> {
    const notices = batch.flatMap((e) => noticeAudiences(e.event).map((to) => ({ e, to })));
    if (notices.length === 0) return 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await Promise.all(notices.map(({ e, to }) => this.send(e, to)));
        return notices.length;
      } catch (err) {
        if (attempt >= ATTEMPTS || this.nc.isClosed()) throw err;
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  private send({ seq, event, msg }: LoggedEvent, to: NoticeAudience) {
    const headers: MsgHdrs = natsHeaders();
    for (const name of COPIED) {
      const value = msg.headers?.get(name);
      if (value) headers.set(name, value);
    }
    headers.set(Header.MsgId, `${event.id}.${to}`);
    headers.set(Header.LogSeq, String(seq));
    return publishAcked(
      this.nc,
      subjects.notice(this.prefix, to, event.tenantId, event.runId),
      msg.data,
      headers,
    );
  }
}

import { createInbox, type JsMsg, type NatsConnection, type Subscription } from 'nats';
import { toJsMsg } from 'nats/lib/jetstream/jsmsg';
import { Header, streamNames, type StoredEvent } from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import type { PayloadStore } from './payload.store';
import type { DurableSpec, RunningConsumer } from './durable.consumer';

export interface BatchOptions {
  maxBatch: number;
  /**
   * The least time between the starts of two pulls (unless a batch came full): what arrives
   * meanwhile waits at the server and comes as one batch. Bigger batches cost the database (and
   * every process on the path) far less per event; the wait bounds the added latency.
   */
  pollMs: number;
  onError?: (err: unknown, batch: JsMsg[]) => void;
}

/**
 * Pulls a durable consumer and hands what has arrived to `handle` in batches, one batch at a
 * time (one database transaction per batch, for projections). Each pull takes what is waiting at
 * once (`no_wait`), and the next starts `pollMs` after it at the earliest: a consumer that
 * kept a pull open would be sent, and woken for, every event on its own — on a busy machine
 * that costs the processes on the hot path more than the projection's work. Success acks the
 * batch; failure naks it for redelivery (or, with ack policy `all`, retries it in place).
 */
export async function consumeBatches(
  nc: NatsConnection,
  prefix: string,
  spec: DurableSpec,
  handle: (batch: JsMsg[]) => Promise<void>,
  options: BatchOptions,
): Promise<RunningConsumer> {
  const stream = streamNames(prefix)[spec.stream];
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const handleBatch = async (batch: JsMsg[]) => {
    if (spec.ackPolicy === 'all') {
      // One ack covers every earlier message, so a failed batch must never be overtaken by a
      // later one: retry it in place until it lands (the handler must be idempotent).
      for (let attempt = 1; !stopped; attempt++) {
        try {
          await handle(batch);
          batch.at(-1)!.ack();
          return;
        } catch (err) {
          options.onError?.(err, batch);
          await pause(Math.min(100 * 2 ** attempt, 5_000));
        }
      }
      return;
    }
    try {
      await handle(batch);
      for (const m of batch) m.ack();
    } catch (err) {
      options.onError?.(err, batch);
      for (const m of batch) m.nak(1_000);
    }
  };

  const puller = new WaitingPuller(nc, stream, spec.durable);
  const loop = (async () => {
    while (!stopped) {
      const began = Date.now();
      let batch: JsMsg[] = [];
      try {
        batch = await puller.pull(options.maxBatch);
      } catch (err) {
        // The server or the durable is away (a restart, a rebuild): the messages wait there.
        options.onError?.(err, []);
        await pause(1_000);
        continue;
      }
      if (batch.length > 0 && !stopped) await handleBatch(batch);
      // Pulls start at most every `pollMs`; a batch that took longer is followed at once.
      const rest = options.pollMs - (Date.now() - began);
      if (batch.length < options.maxBatch && rest > 0 && !stopped) await pause(rest);
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      puller.close();
    },
  };
}

/** How long a pull may go unanswered (the server answers a `no_wait` pull at once). */
const PULL_TIMEOUT_MS = 5_000;
const NO_MESSAGES = 404;
const REQUEST_TIMEOUT = 408;

/**
 * Whatever the durable has waiting, up to `max`, without waiting for more: one `no_wait` pull
 * request, read until the server's closing status (404 when it had nothing, 408 after a part of
 * a batch) or a full batch. nats.js has no such pull: its `consume` and `fetch` keep the request
 * open (every new event is sent at once), and its classic `fetch` with `no_wait` ends at the
 * first message that saw nothing pending, dropping any the server still sends (they come back
 * only after the ack wait).
 *
 * One reply subscription serves every pull of the consumer: subscribing anew for each pull
 * made the server rebuild its subject routing several times a second per consumer. A message
 * that arrives after its pull gave up (a timeout) joins the next pull's batch.
 */
class WaitingPuller {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private msgs: JsMsg[] = [];
  private current?: { max: number; end: (err?: Error) => void };

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly durable: string,
  ) {
    this.sub = nc.subscribe(this.inbox, {
      callback: (err, m) => {
        if (err) return this.current?.end(err);
        const code = m.headers?.code ?? 0;
        if (code === NO_MESSAGES || code === REQUEST_TIMEOUT) return this.current?.end();
        if (code >= 300) {
          const status = `${code} ${m.headers?.description ?? ''}`;
          return this.current?.end(new Error(`pull from ${this.durable}: ${status}`));
        }
        this.msgs.push(toJsMsg(m));
        if (this.current && this.msgs.length >= this.current.max) this.current.end();
      },
    });
  }

  pull(max: number): Promise<JsMsg[]> {
    return new Promise((resolve, reject) => {
      const end = (err?: Error) => {
        clearTimeout(timer);
        this.current = undefined;
        const msgs = this.msgs;
        this.msgs = [];
        // What did arrive is handled; it would otherwise wait for the ack wait.
        if (err && msgs.length === 0) reject(err);
        else resolve(msgs);
      };
      const timer = setTimeout(() => end(), PULL_TIMEOUT_MS);
      this.current = { max, end };
      this.nc.publish(
        `$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.durable}`,
        JSON.stringify({ batch: Math.max(1, max - this.msgs.length), no_wait: true }),
        { reply: this.inbox },
      );
    });
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

/** An event as a projection receives it: decoded, with the message it came in (to copy it on). */
export interface LoggedEvent extends StoredEvent {
  msg: JsMsg;
}

/**
 * Decodes a batch of log messages for a projection. An event that cannot be read is skipped and
 * reported, never a reason to reject the batch: a recorded event cannot be taken back. `wanted`
 * picks events by their `Tether-Type` header before decoding, so a projection that needs a few
 * types pays nothing for the rest.
 */
export async function decodeBatch(
  msgs: JsMsg[],
  payloads: PayloadStore,
  onUnreadable: (msg: JsMsg, err: Error) => void,
  wanted?: (type: string) => boolean,
): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (const m of msgs) {
    if (wanted && !wanted(m.headers?.get(Header.Type) ?? '')) continue;
    try {
      const event = await payloads.decode(m.data);
      // An offloaded payload was not in the message scanned for NULs.
      const scrub = hasNul(m.data) || m.headers?.has(Header.DataRef);
      // A notice is known by its event's place in the log, not by its own in `_NTC`.
      const seq = Number(m.headers?.get(Header.LogSeq)) || m.seq;
      events.push({ seq, event: scrub ? withoutNul(event) : event, msg: m });
    } catch (err) {
      // Only a bad event is skipped; failing to fetch its payload fails the batch, to be retried.
      if (!isErrorNamed(err, 'ValidationError')) throw err;
      onUnreadable(m, err as Error);
    }
  }
  return events;
}

// JSON text escapes U+0000 as these six characters.
const NUL_ESCAPE = Buffer.from('\\u0000');

function hasNul(data: Uint8Array): boolean {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes(NUL_ESCAPE);
}

/**
 * Postgres text and jsonb cannot hold U+0000: one in a user's input or a model's arguments would
 * make every batch that holds it fail, and stall a projection for every tenant. Projections store
 * U+FFFD (the replacement character) in its place; the log keeps the original.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD') as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[withoutNul(k)] = withoutNul(v);
  return out as T;
}

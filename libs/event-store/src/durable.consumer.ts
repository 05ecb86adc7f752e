import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type ConsumerConfig,
} from 'nats';
import { streamNames, subjects, type StreamNames } from '@tether/contracts';
import { encodeJson } from './event.codec';
import { isNotFound } from './streams.provisioner';

export interface DurableSpec {
  stream: keyof StreamNames;
  /** `<service>-<purpose>`; every instance of the service shares it. */
  durable: string;
  filterSubject: string;
  /** Unacked messages are redelivered after this; in-flight ones are kept alive with `working()`. */
  ackWaitMs?: number;
  /** Deliveries before a failing message is given up (dead-lettered); -1: never (timers). */
  maxDeliver?: number;
  /** Messages in flight across all instances. */
  maxAckPending?: number;
  /**
   * `all`: acking a message acks every earlier one (one ack per batch, for in-order batch
   * consumers such as projections). Default `explicit`.
   */
  ackPolicy?: 'explicit' | 'all';
}

export type Disposition =
  { action: 'ack' } | { action: 'nak'; delayMs: number } | { action: 'term'; reason: string };

const ms = (n: number) => n * 1_000_000;

export async function ensureDurable(
  jsm: JetStreamManager,
  prefix: string,
  spec: DurableSpec,
): Promise<void> {
  const stream = streamNames(prefix)[spec.stream];
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    filter_subject: spec.filterSubject,
    ack_policy: spec.ackPolicy === 'all' ? AckPolicy.All : AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ms(spec.ackWaitMs ?? 30_000),
    max_deliver: spec.maxDeliver ?? 20,
    max_ack_pending: spec.maxAckPending ?? 1_000,
  };
  try {
    await jsm.consumers.info(stream, spec.durable);
    await jsm.consumers.update(stream, spec.durable, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(stream, config);
  }
}

/**
 * Decides what happens to a message whose handler threw. Bad input and broken invariants are
 * terminal (retrying cannot help); anything else is retried with exponential backoff.
 */
export function dispositionFor(
  err: unknown,
  deliveryCount: number,
  maxDeliver: number,
): Disposition {
  const e = err as { name?: string; retryable?: boolean; delayMs?: number };
  // Not a failure: the message is not due yet (a timer). It comes back when it is.
  if (e?.name === 'RetryLaterError') return { action: 'nak', delayMs: Math.max(e.delayMs ?? 0, 0) };
  const terminal =
    e?.retryable === false ||
    e?.name === 'ValidationError' ||
    e?.name === 'IllegalStateError' ||
    e?.name === 'NotFoundError';
  if (terminal) return { action: 'term', reason: String((err as Error)?.message ?? err) };
  if (maxDeliver > 0 && deliveryCount >= maxDeliver) {
    return {
      action: 'term',
      reason: `gave up after ${deliveryCount} deliveries: ${(err as Error)?.message}`,
    };
  }
  return { action: 'nak', delayMs: Math.min(250 * 2 ** (deliveryCount - 1), 30_000) };
}

/** Thrown by a handler whose message is not due yet: it is redelivered after `delayMs`. */
export class RetryLaterError extends Error {
  constructor(readonly delayMs: number) {
    super(`not due for ${delayMs} ms`);
    this.name = 'RetryLaterError';
  }
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

export interface ConsumeOptions {
  /** Messages handled at once by this instance. */
  concurrency: number;
  onError?: (err: unknown, msg: JsMsg, disposition: Disposition) => void;
}

/** Deletes a durable consumer of one of the prefix's streams, if it is there. */
export async function removeDurable(
  jsm: JetStreamManager,
  prefix: string,
  stream: keyof StreamNames,
  durable: string,
): Promise<void> {
  await jsm.consumers.delete(streamNames(prefix)[stream], durable).catch((err) => {
    if (!isNotFound(err)) throw err;
  });
}

/**
 * Pulls from a durable consumer and runs `handle` for each message, up to `concurrency` at once.
 * Success acks; failure naks with backoff or terms with a dead-letter record. A handler never
 * crashes the process.
 */
export async function consumeDurable(
  js: JetStreamClient,
  prefix: string,
  spec: DurableSpec,
  handle: (msg: JsMsg) => Promise<void>,
  options: ConsumeOptions,
): Promise<RunningConsumer> {
  const consumer = await js.consumers.get(streamNames(prefix)[spec.stream], spec.durable);
  const messages = await consumer.consume({ max_messages: Math.max(options.concurrency, 1) });
  const inFlight = new Set<JsMsg>();
  let wake: (() => void) | undefined;
  const ackWait = spec.ackWaitMs ?? 30_000;
  const maxDeliver = spec.maxDeliver ?? 20;
  const heartbeat = setInterval(
    () => inFlight.forEach((m) => m.working()),
    Math.max(ackWait / 3, 100),
  );
  heartbeat.unref();

  const settle = async (msg: JsMsg) => {
    try {
      await handle(msg);
      msg.ack();
    } catch (err) {
      const d = dispositionFor(err, msg.info.redeliveryCount, maxDeliver);
      options.onError?.(err, msg, d);
      if (d.action === 'nak') msg.nak(d.delayMs);
      else if (d.action === 'term') {
        await js
          .publish(
            subjects.deadLetter(prefix, spec.durable),
            encodeJson({
              durable: spec.durable,
              subject: msg.subject,
              streamSeq: msg.seq,
              deliveries: msg.info.redeliveryCount,
              reason: d.reason,
              body: Buffer.from(msg.data).toString('utf8').slice(0, 4096),
            }),
          )
          .catch(() => undefined);
        msg.term();
      }
    } finally {
      inFlight.delete(msg);
      wake?.();
    }
  };

  const loop = (async () => {
    for await (const msg of messages) {
      inFlight.add(msg);
      void settle(msg);
      while (inFlight.size >= options.concurrency) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  })();

  return {
    async stop() {
      clearInterval(heartbeat);
      await messages.close();
      await loop.catch(() => undefined);
      // In-flight handlers are left to finish or be redelivered; their messages stay unacked.
    },
  };
}

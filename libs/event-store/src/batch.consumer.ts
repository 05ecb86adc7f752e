import type { JetStreamClient, JsMsg } from 'nats';
import { Header, streamNames, type StoredEvent } from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import type { PayloadStore } from './payload.store';
import type { DurableSpec, RunningConsumer } from './durable.consumer';

export interface BatchOptions {
  maxBatch: number;
  /**
   * How long the first message of a batch may wait for company. Bigger batches cost the
   * database far less per event; the wait bounds the added latency.
   */
  maxDelayMs?: number;
  onError?: (err: unknown, batch: JsMsg[]) => void;
}

/**
 * Pulls a durable consumer continuously and hands what has arrived to `handle` in batches, one
 * batch at a time (one database transaction per batch, for projections). Messages that arrive
 * while a batch is being handled form the next one, so batches grow with load and latency stays
 * low when idle. Success acks the batch; failure naks it for redelivery (or, with ack policy
 * `all`, retries it in place).
 */
export async function consumeBatches(
  js: JetStreamClient,
  prefix: string,
  spec: DurableSpec,
  handle: (batch: JsMsg[]) => Promise<void>,
  options: BatchOptions,
): Promise<RunningConsumer> {
  const consumer = await js.consumers.get(streamNames(prefix)[spec.stream], spec.durable);
  const messages = await consumer.consume({ max_messages: options.maxBatch * 2 });
  const buffer: JsMsg[] = [];
  let flushing: Promise<void> | undefined;
  let full: (() => void) | undefined;

  let stopped = false;
  const flush = async () => {
    const delay = options.maxDelayMs ?? 0;
    if (delay > 0 && buffer.length < options.maxBatch) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        full = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      full = undefined;
    } else {
      await new Promise((r) => setImmediate(r));
    }
    while (buffer.length && !stopped) {
      const batch = buffer.splice(0, options.maxBatch);
      if (spec.ackPolicy === 'all') {
        // One ack covers every earlier message, so a failed batch must never be overtaken by a
        // later one: retry it in place until it lands (the handler must be idempotent).
        for (let attempt = 1; !stopped; attempt++) {
          try {
            await handle(batch);
            batch.at(-1)!.ack();
            break;
          } catch (err) {
            options.onError?.(err, batch);
            await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5_000)));
          }
        }
        continue;
      }
      try {
        await handle(batch);
        for (const m of batch) m.ack();
      } catch (err) {
        options.onError?.(err, batch);
        for (const m of batch) m.nak(1_000);
      }
    }
    flushing = undefined;
  };

  const loop = (async () => {
    for await (const m of messages) {
      buffer.push(m);
      if (buffer.length >= options.maxBatch) full?.();
      flushing ??= flush();
    }
  })();

  return {
    async stop() {
      stopped = true;
      await messages.close();
      await loop.catch(() => undefined);
      await flushing;
    },
  };
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
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const m of msgs) {
    if (wanted && !wanted(m.headers?.get(Header.Type) ?? '')) continue;
    try {
      const event = await payloads.decode(m.data);
      // An offloaded payload was not in the message scanned for NULs.
      const scrub = hasNul(m.data) || m.headers?.has(Header.DataRef);
      events.push({ seq: m.seq, event: scrub ? withoutNul(event) : event });
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

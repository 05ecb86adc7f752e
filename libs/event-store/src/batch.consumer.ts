import type { JetStreamClient, JsMsg } from 'nats';
import { streamNames } from '@tether/contracts';
import type { DurableSpec, RunningConsumer } from './durable.consumer';

export interface BatchOptions {
  maxBatch: number;
  onError?: (err: unknown, batch: JsMsg[]) => void;
}

/**
 * Pulls a durable consumer continuously and hands what has arrived to `handle` in batches, one
 * batch at a time (one database transaction per batch, for projections). Messages that arrive
 * while a batch is being handled form the next one, so batches grow with load and latency stays
 * low when idle. Success acks the batch; failure naks it for redelivery.
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

  const flush = async () => {
    await new Promise((r) => setImmediate(r));
    while (buffer.length) {
      const batch = buffer.splice(0, options.maxBatch);
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
      flushing ??= flush();
    }
  })();

  return {
    async stop() {
      await messages.close();
      await loop.catch(() => undefined);
      await flushing;
    },
  };
}

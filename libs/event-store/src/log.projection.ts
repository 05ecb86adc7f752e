import type { NatsConnection } from 'nats';
import { subjects, type NoticeAudience } from '@tether/contracts';
import { consumeBatches, decodeBatch, type LoggedEvent } from './batch.consumer';
import {
  ensureDurable,
  removeDurable,
  type DurableSpec,
  type RunningConsumer,
} from './durable.consumer';
import { PayloadStore } from './payload.store';

/**
 * How often a reader of notices pulls: a person looking at the approval queue does not notice
 * 200 ms, and a run's next reservation settles its last call itself (see the budget service).
 */
export const NOTICE_POLL_MS = 200;

export interface LogProjectionOptions {
  prefix: string;
  /** `<service>-<purpose>`, shared by every instance of the service. */
  durable: string;
  /** The service's ack wait; a projection waits at least 30 s (see below). */
  ackWaitMs: number;
  /** What is kept from the log, for log lines: "the budget ledger". */
  name: string;
  /**
   * What is read: the whole log (default), or only the notices for one service (the few events
   * of each run it acts on, copied from the log by the trace-store's projector).
   */
  notices?: NoticeAudience;
  /**
   * The least time between two pulls (default 50 ms). A batch is a transaction whatever its
   * size: a reader of notices, which are few, does well to wait longer and batch more.
   */
  pollMs?: number;
  /** The event types to decode; the rest are skipped by header, unread. Default: every type. */
  types?: ReadonlySet<string>;
  /**
   * `ordered` (default): one ack covers the batch and every earlier event, so batches are
   * handled in log order — but an instance that dies with a batch in hand loses it to the next
   * ack. `tolerant`: each event is acked once its batch is handled; a dead instance's events come
   * back after the ack wait, out of order, so `handle` must not depend on the order.
   */
  order?: 'ordered' | 'tolerant';
  logger: {
    error(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

/**
 * Feeds the whole run log (or one service's notices) to `handle` in batches (up to 1000, pulled
 * every `pollMs`), from a durable shared by every instance; `handle` must be idempotent (see `order` for what a failed
 * batch or a dead instance means). An event that cannot be decoded is logged and
 * skipped, never allowed to stop the projection. With `types`, a batch with none of them is not
 * handed over; without, every batch is (a projection that checkpoints sees the log's end).
 */
export async function projectLog(
  nc: NatsConnection,
  options: LogProjectionOptions,
  handle: (batch: LoggedEvent[]) => Promise<void>,
): Promise<RunningConsumer> {
  const { notices } = options;
  const spec: DurableSpec = {
    stream: notices ? 'ntc' : 'evt',
    durable: options.durable,
    filterSubject: notices
      ? subjects.audienceNotices(options.prefix, notices)
      : subjects.allEvents(options.prefix),
    maxAckPending: 10_000,
    // A batch may take a while under load; redelivering it early would only repeat work.
    ackWaitMs: Math.max(options.ackWaitMs, 30_000),
    ackPolicy: options.order === 'tolerant' ? 'explicit' : 'all',
  };
  const { logger, name, types } = options;
  const jsm = await nc.jetstreamManager();
  // Earlier versions read the whole log under the same name: that durable would only pile up.
  if (notices) await removeDurable(jsm, options.prefix, 'evt', options.durable);
  await ensureDurable(jsm, options.prefix, spec);
  const payloads = new PayloadStore(nc.jetstream(), options.prefix);
  return consumeBatches(
    nc,
    options.prefix,
    spec,
    async (msgs) => {
      const batch = await decodeBatch(
        msgs,
        payloads,
        (m, err) =>
          logger.error(
            { seq: m.seq, subject: m.subject, err: err.message },
            `skipping an event ${name} cannot read`,
          ),
        types && ((type) => types.has(type)),
      );
      if (batch.length > 0 || !types) await handle(batch);
    },
    {
      maxBatch: 1000,
      // Every batch costs a transaction and a run-summary update per run in it: at 20 ms the
      // standard workload spent ~0.8 ms more CPU per run; the lag stays well within its target.
      pollMs: options.pollMs ?? 50,
      onError: (err, batch) =>
        logger.warn(
          { err: (err as Error).message },
          batch.length
            ? `${name}: batch failed; it will be retried`
            : `${name}: pulling from the log failed; retrying`,
        ),
    },
  );
}

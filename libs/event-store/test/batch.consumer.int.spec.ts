import type { JsMsg, NatsConnection } from 'nats';
import { subjects, type TetherEvent } from '@tether/contracts';
import {
  EventStore,
  consumeBatches,
  deleteStreams,
  ensureDurable,
  provisionStreams,
  type BatchOptions,
  type DurableSpec,
  type RunningConsumer,
} from '@tether/event-store';
import { connectTestNats, eventually, uniquePrefix } from '../../testing/src/infra.helper';
import { escalated } from './escalated.event';

describe('consumeBatches', () => {
  let nc: NatsConnection;
  let store: EventStore;
  const prefix = uniquePrefix('batch');
  let running: RunningConsumer | undefined;
  let durables = 0;

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
    store = new EventStore(nc, prefix);
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  /** A fresh durable over one run's events (explicit acks, so a failed batch is redelivered). */
  async function durableOf(runId: string): Promise<DurableSpec> {
    const spec: DurableSpec = {
      stream: 'evt',
      durable: `test-batches-${++durables}`,
      filterSubject: subjects.run(prefix, 'acme', runId),
      ackWaitMs: 30_000,
      ackPolicy: 'explicit',
    };
    await ensureDurable(await nc.jetstreamManager(), prefix, spec);
    return spec;
  }

  async function append(runId: string, count: number): Promise<string[]> {
    const events = Array.from({ length: count }, () => escalated(runId, 'step'));
    await store.appendAll(events, await store.lastSeq('acme', runId));
    return events.map((e) => e.id);
  }

  const idsOf = (batch: JsMsg[]) => batch.map((m) => m.headers!.get('Nats-Msg-Id'));

  /** Starts pulling the run's durable; the ids of each batch handed over land in the array returned. */
  async function collect(runId: string, options: BatchOptions): Promise<string[][]> {
    const batches: string[][] = [];
    running = await consumeBatches(
      nc,
      prefix,
      await durableOf(runId),
      async (b) => void batches.push(idsOf(b)),
      options,
    );
    return batches;
  }

  it('takes every event waiting at the server in one pull, in log order', async () => {
    const ids = await append('run_waiting', 40);
    const batches = await collect('run_waiting', { maxBatch: 1000, pollMs: 50 });
    await eventually(() => (batches.length ? true : undefined), 'the first batch');
    expect(batches[0]).toEqual(ids);
  });

  it('never hands over more than maxBatch, and follows a full batch with the rest', async () => {
    const ids = await append('run_full', 25);
    const batches = await collect('run_full', { maxBatch: 10, pollMs: 50 });
    await eventually(() => (batches.flat().length === 25 ? true : undefined), 'all 25 events');
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(ids);
  });

  it('picks up what is appended while it waits, each event once', async () => {
    const runId = 'run_later';
    const batches = await collect(runId, { maxBatch: 1000, pollMs: 20 });
    const ids = [...(await append(runId, 5)), ...(await append(runId, 7))];
    await eventually(() => (batches.flat().length >= 12 ? true : undefined), 'the 12 events');
    await new Promise((r) => setTimeout(r, 200));
    expect(batches.flat()).toEqual(ids);
  });

  it('hands over every event of bursts appended while it pulls, each once', async () => {
    const runId = 'run_busy';
    const batches = await collect(runId, { maxBatch: 1000, pollMs: 1 });
    // An event left behind by a pull would come back only after the durable's 30 s ack wait,
    // long after this test gives up.
    const events: TetherEvent[] = [];
    for (let round = 0; round < 40; round++) {
      const burst = Array.from({ length: 25 }, () => escalated(runId, 'step'));
      events.push(...burst);
      await Promise.all(burst.map((e) => store.append(e, undefined)));
    }
    await eventually(
      () => (batches.flat().length >= events.length ? true : undefined),
      'every event, without waiting for a redelivery',
    );
    expect(batches.flat().sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('hands a failed batch over again', async () => {
    const ids = await append('run_fails', 3);
    const attempts: string[][] = [];
    running = await consumeBatches(
      nc,
      prefix,
      await durableOf('run_fails'),
      async (b) => {
        attempts.push(idsOf(b));
        if (attempts.length === 1) throw new Error('the database is away');
      },
      { maxBatch: 1000, pollMs: 20 },
    );
    await eventually(() => (attempts.length >= 2 ? true : undefined), 'a second attempt');
    expect(attempts[0]).toEqual(ids);
    expect(attempts[1]).toEqual(ids);
  });

  it('stops while it waits for the next pull', async () => {
    running = await consumeBatches(nc, prefix, await durableOf('run_idle'), async () => undefined, {
      maxBatch: 1000,
      pollMs: 600_000,
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopping = running.stop();
    running = undefined;
    await expect(stopping).resolves.toBeUndefined();
  });
});

import { DeliverPolicy, AckPolicy, type NatsConnection } from 'nats';
import {
  bucketNames,
  kvStreamName,
  streamNames,
  subjects,
  type TetherEvent,
} from '@tether/contracts';
import {
  EventStore,
  consumeDurable,
  deleteStreams,
  ensureDurable,
  provisionStreams,
  decodeEvent,
  openSwitchesBucket,
  SWITCH_HISTORY,
} from '@tether/event-store';
import { connectTestNats, eventually, uniquePrefix } from '../../testing/src/infra.helper';

let seqNo = 0;
function event(
  runId: string,
  type: TetherEvent['type'],
  data: unknown,
  tenantId = 'acme',
): TetherEvent {
  seqNo++;
  return {
    id: `evt_${String(seqNo).padStart(4, '0')}${Math.random().toString(36).slice(2, 12)}`,
    type,
    schemaVersion: 1,
    runId,
    tenantId,
    time: new Date().toISOString(),
    source: 'test@0.0.0',
    data,
  } as TetherEvent;
}

const escalated = (runId: string, n: number) =>
  event(runId, 'run.escalated', { reason: 'test_step', message: `step ${n}` });

describe(EventStore.name, () => {
  let nc: NatsConnection;
  let sut: EventStore;
  const prefix = uniquePrefix('evs');

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
    sut = new EventStore(nc, prefix);
  });
  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  it('provisions the three streams with file storage and a dedupe window, idempotently', async () => {
    const jsm = await nc.jetstreamManager();
    await provisionStreams(jsm, prefix);
    const names = streamNames(prefix);
    for (const name of [names.cmd, names.evt, names.ctl]) {
      const info = await jsm.streams.info(name);
      expect(info.config.storage).toBe('file');
      expect(info.config.duplicate_window).toBe(120_000 * 1_000_000);
    }
  });

  it('provisions the switches bucket with file storage and a short history, idempotently', async () => {
    const jsm = await nc.jetstreamManager();
    await provisionStreams(jsm, prefix);
    const info = await jsm.streams.info(kvStreamName(bucketNames(prefix).switches));
    expect(info.config.storage).toBe('file');
    expect(info.config.max_msgs_per_subject).toBe(SWITCH_HISTORY);
    const kv = await openSwitchesBucket(nc.jetstream(), prefix);
    expect((await kv.status()).history).toBe(SWITCH_HISTORY);
  });

  it('deletes the switches bucket with the streams of the prefix', async () => {
    const other = uniquePrefix('evsdel');
    const jsm = await nc.jetstreamManager();
    await provisionStreams(jsm, other);
    const names = [...Object.values(streamNames(other)), kvStreamName(bucketNames(other).switches)];
    for (const name of names) expect((await jsm.streams.info(name)).config.name).toBe(name);
    await deleteStreams(jsm, other);
    for (const name of names) await expect(jsm.streams.info(name)).rejects.toThrow(/not found/);
  });

  it('appends and reads one run in order with stream sequences', async () => {
    const runId = 'run_order1';
    let seq = 0;
    for (let i = 1; i <= 5; i++) seq = (await sut.append(escalated(runId, i), seq)).seq;
    const read = await sut.read('acme', runId);
    expect(read.map((e) => (e.event.data as { message: string }).message)).toEqual([
      'step 1',
      'step 2',
      'step 3',
      'step 4',
      'step 5',
    ]);
    expect(read[4].seq).toBe(seq);
    expect(await sut.lastSeq('acme', runId)).toBe(seq);
  });

  it('reads an unknown run as empty', async () => {
    expect(await sut.read('acme', 'run_nothing')).toEqual([]);
    expect(await sut.lastSeq('acme', 'run_nothing')).toBe(0);
  });

  it('lets exactly one of two concurrent appends with the same expected sequence succeed', async () => {
    const runId = 'run_race1';
    const first = await sut.append(escalated(runId, 0), 0);
    const results = await Promise.allSettled([
      sut.append(escalated(runId, 1), first.seq),
      sut.append(escalated(runId, 2), first.seq),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.name).toBe('ConcurrencyError');
    expect(await sut.read('acme', runId)).toHaveLength(2);
  });

  it('refuses the first event of a run that already has events', async () => {
    const runId = 'run_exists';
    await sut.append(escalated(runId, 0), 0);
    await expect(sut.append(escalated(runId, 1), 0)).rejects.toMatchObject({
      name: 'ConcurrencyError',
    });
  });

  it("reports JetStream's refusal with its API error, and a missing stream as 503", async () => {
    const runId = 'run_refused';
    await sut.append(escalated(runId, 0), 0);
    const err = await sut.append(escalated(runId, 1), 7).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'ConcurrencyError',
      cause: { name: 'NatsError', code: '400', api_error: { err_code: 10071 } },
    });
    expect(String((err as Error & { cause: Error }).cause.message)).toMatch(/wrong last sequence/);

    const nowhere = new EventStore(nc, uniquePrefix('nostream'));
    await expect(nowhere.append(escalated('run_nowhere', 0), 0)).rejects.toMatchObject({
      name: 'NatsError',
      code: '503',
    });
  });

  it('treats a re-published event id as a duplicate without writing it twice', async () => {
    const runId = 'run_dupe1';
    const e = escalated(runId, 1);
    const a = await sut.append(e, 0);
    const b = await sut.append(e, a.seq);
    expect(b).toEqual({ seq: a.seq, duplicate: true });
    expect(await sut.read('acme', runId)).toHaveLength(1);
  });

  it('refuses an event that breaks its contract, before it reaches the log', async () => {
    const bad = event('run_bad1', 'tool.requested', { callId: 'c1' });
    await expect(sut.append(bad, 0)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await sut.lastSeq('acme', 'run_bad1')).toBe(0);
  });

  it('puts the type and trace context in headers for downstream filters', async () => {
    const e = {
      ...escalated('run_hdr1', 1),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    const { seq } = await sut.append(e, 0);
    const msg = await (
      await nc.jetstreamManager()
    ).streams.getMessage(streamNames(prefix).evt, { seq });
    expect(msg.header.get('Tether-Type')).toBe('run.escalated');
    expect(msg.header.get('traceparent')).toBe(e.traceparent);
    expect(msg.header.get('Nats-Msg-Id')).toBe(e.id);
    expect(msg.subject).toBe(subjects.run(prefix, 'acme', 'run_hdr1'));
  });

  it("reads a run's trace context from its first event, not a later one", async () => {
    const first = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { seq } = await sut.append({ ...escalated('run_tp1', 1), traceparent: first }, 0);
    await sut.append(
      {
        ...escalated('run_tp1', 2),
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      seq,
    );
    await sut.append(escalated('run_tp2', 1), 0);

    expect(await sut.traceparentOf('acme', 'run_tp1')).toBe(first);
    expect(await sut.traceparentOf('acme', 'run_tp2')).toBeUndefined();
    expect(await sut.traceparentOf('acme', 'run_none')).toBeUndefined();
  });

  describe('events sent behind an append in flight', () => {
    const messages = async (runId: string) =>
      (await sut.read('acme', runId)).map((e) => (e.event.data as { message: string }).message);

    it('appends a decision of several events in order, each right after the one before', async () => {
      const runId = 'run_flight1';
      const first = await sut.append(escalated(runId, 0), 0);
      const last = await sut.appendAll(
        [1, 2, 3].map((n) => escalated(runId, n)),
        first.seq,
      );
      expect(await messages(runId)).toEqual(['step 0', 'step 1', 'step 2', 'step 3']);
      expect(last).toBe(await sut.lastSeq('acme', runId));
    });

    it("lands the follower after another run's event that came between, at the right place", async () => {
      const runId = 'run_flight2';
      const other = 'run_flight2_other';
      // One connection keeps this order at the server: predecessor, another run's event, follower.
      const first = sut.send(escalated(runId, 1), 0);
      const between = sut.send(escalated(other, 1), 0);
      const follower = sut.send(escalated(runId, 2), first);
      const [a, b, c] = await Promise.all([first.seq, between.seq, follower.seq]);
      expect(b).toBe(a + 1);
      expect(c).toBeGreaterThan(b);
      expect(await messages(runId)).toEqual(['step 1', 'step 2']);
    });

    it('refuses the follower when the run itself moved between, as a conflict', async () => {
      const runId = 'run_flight3';
      const first = sut.send(escalated(runId, 1), 0);
      const intruder = sut.send(escalated(runId, 99), undefined);
      const follower = sut.send(escalated(runId, 2), first);
      await Promise.all([first.seq, intruder.seq]);
      await expect(follower.seq).rejects.toMatchObject({ name: 'ConcurrencyError' });
      expect(await messages(runId)).toEqual(['step 1', 'step 99']);
    });

    it('fails the followers of a refused predecessor with its conflict, writing none of them', async () => {
      const runId = 'run_flight4';
      await sut.append(escalated(runId, 0), 0);
      await expect(
        sut.appendAll(
          [1, 2, 3].map((n) => escalated(runId, n)),
          0,
        ),
      ).rejects.toMatchObject({ name: 'ConcurrencyError' });
      expect(await messages(runId)).toEqual(['step 0']);
    });

    it('follows an acknowledged predecessor by its sequence', async () => {
      const runId = 'run_flight5';
      const first = sut.send(escalated(runId, 1), 0);
      await first.seq;
      expect(first.known).toBe(await first.seq);
      await sut.append(escalated('run_flight5_other', 1), 0);
      const { seq } = await sut.append(escalated(runId, 2), first);
      expect(seq).toBe(await sut.lastSeq('acme', runId));
      expect(await messages(runId)).toEqual(['step 1', 'step 2']);
    });
  });

  it('keeps tenants apart: a tenant filter never sees another tenant', async () => {
    await sut.append(
      event('run_t1', 'run.escalated', { reason: 'x', message: 'a' }, 'tenant-a'),
      0,
    );
    await sut.append(
      event('run_t1', 'run.escalated', { reason: 'x', message: 'b' }, 'tenant-b'),
      0,
    );
    const a = await sut.read('tenant-a', 'run_t1');
    expect(a.map((e) => e.event.tenantId)).toEqual(['tenant-a']);
  });
});

describe('durable consumers', () => {
  let nc: NatsConnection;
  const prefix = uniquePrefix('dur');

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
  });
  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  it('shares one durable between instances: each event is handled once, per-run order kept', async () => {
    const store = new EventStore(nc, prefix);
    const spec = {
      stream: 'evt' as const,
      durable: 'downstream-audit',
      filterSubject: subjects.tenantEvents(prefix, 'acme'),
    };
    await ensureDurable(await nc.jetstreamManager(), prefix, spec);
    const seen: { runId: string; n: number }[] = [];
    const handler = async (m: import('nats').JsMsg) => {
      const e = decodeEvent(m.data);
      seen.push({ runId: e.runId, n: Number((e.data as { message: string }).message) });
    };
    const a = await consumeDurable(nc.jetstream(), prefix, spec, handler, { concurrency: 1 });
    const b = await consumeDurable(nc.jetstream(), prefix, spec, handler, { concurrency: 1 });
    const runs = Array.from({ length: 10 }, (_, i) => `run_dur${i}`);
    await Promise.all(
      runs.map(async (runId) => {
        let seq = 0;
        for (let n = 1; n <= 5; n++)
          seq = (
            await store.append(
              event(runId, 'run.escalated', { reason: 'x', message: String(n) }),
              seq,
            )
          ).seq;
      }),
    );
    await eventually(() => (seen.length >= 50 ? true : undefined), '50 events');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(50);
    for (const runId of runs) {
      expect(
        seen
          .filter((s) => s.runId === runId)
          .map((s) => s.n)
          .sort(),
      ).toEqual([1, 2, 3, 4, 5]);
    }
    await a.stop();
    await b.stop();
    const info = await (
      await nc.jetstreamManager()
    ).consumers.info(streamNames(prefix).evt, 'downstream-audit');
    expect(info.config.ack_policy).toBe(AckPolicy.Explicit);
    expect(info.config.deliver_policy).toBe(DeliverPolicy.All);
  });

  it('redelivers a failed message and dead-letters one that can never succeed', async () => {
    const store = new EventStore(nc, prefix);
    const spec = {
      stream: 'evt' as const,
      durable: 'flaky-worker',
      filterSubject: subjects.tenantEvents(prefix, 'flaky'),
    };
    await ensureDurable(await nc.jetstreamManager(), prefix, spec);
    const attempts = new Map<number, number>();
    const consumer = await consumeDurable(
      nc.jetstream(),
      prefix,
      spec,
      async (m) => {
        const n = (attempts.get(m.seq) ?? 0) + 1;
        attempts.set(m.seq, n);
        const e = decodeEvent(m.data);
        if ((e.data as { message: string }).message === 'poison') {
          const err = new Error('cannot ever handle this');
          err.name = 'ValidationError';
          throw err;
        }
        if (n < 3) throw new Error('transient');
      },
      { concurrency: 4 },
    );
    const ok = await store.append(
      event('run_flaky1', 'run.escalated', { reason: 'x', message: 'fine' }, 'flaky'),
      0,
    );
    const poison = await store.append(
      event('run_flaky2', 'run.escalated', { reason: 'x', message: 'poison' }, 'flaky'),
      0,
    );
    await eventually(() => ((attempts.get(ok.seq) ?? 0) >= 3 ? true : undefined), 'three attempts');
    const dlq = await eventually(async () => {
      try {
        return await (
          await nc.jetstreamManager()
        ).streams.getMessage(streamNames(prefix).ctl, {
          last_by_subj: subjects.deadLetter(prefix, 'flaky-worker'),
        });
      } catch {
        return undefined;
      }
    }, 'a dead letter');
    expect(JSON.parse(Buffer.from(dlq.data).toString())).toMatchObject({
      streamSeq: poison.seq,
      durable: 'flaky-worker',
    });
    expect(attempts.get(poison.seq)).toBe(1);
    await consumer.stop();
  });
});

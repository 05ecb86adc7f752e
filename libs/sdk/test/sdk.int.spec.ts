import { headers as natsHeaders } from 'nats';
import { Header, streamNames, subjects, type TetherEvent } from '@tether/contracts';
import { eventually, testEnv } from '../../testing/src/infra.helper';
import { startStack, type TestStack } from '../../../test/stack';
import { TetherClient, type Delivery } from '../src';

const COMPLETED_RUN = [
  'run.started',
  'model.requested',
  'model.responded',
  'tool.requested',
  'tool.started',
  'tool.completed',
  'model.requested',
  'model.responded',
  'run.completed',
];
const ORDER_QUESTION = { agent: 'support-agent', input: 'Where is order 1042?', userId: 'u_88' };

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

describe(TetherClient.name, () => {
  let stack: TestStack;
  const clients: TetherClient[] = [];
  const connect = async (tenant = 'acme') => {
    const client = await TetherClient.connect({
      natsUrl: testEnv.natsUrl,
      prefix: stack.prefix,
      tenant,
      name: 'sdk-test',
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stack = await startStack({ label: 'sdk' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await stack?.stop();
  });

  describe('startRun and follow', () => {
    it('yields the whole typed run, in order, ending with run.completed', async () => {
      const sut = await connect();
      const { runId, duplicate } = await sut.startRun(ORDER_QUESTION);
      const events = await collect(sut.follow(runId));
      expect(duplicate).toBe(false);
      expect(events.map((e) => e.type)).toEqual(COMPLETED_RUN);
      const last = events[events.length - 1];
      if (last.type !== 'run.completed') throw new Error('not completed');
      // Typed by the contract: no casts needed to read the outcome.
      expect(last.data.outcome).toBe('success');
      expect(last.data.output).toMatch(/1042/);
      expect(events.every((e) => e.runId === runId && e.tenantId === 'acme')).toBe(true);
      expect(await sut.events(runId)).toEqual(events);
    });

    it('startAndWait resolves with the run.completed the services appended', async () => {
      const sut = await connect();
      const { runId, end, duplicate } = await sut.startAndWait(ORDER_QUESTION, {
        timeoutMs: 20_000,
      });
      expect(duplicate).toBe(false);
      expect(end.type).toBe('run.completed');
      expect(end.data.outcome).toBe('success');
      expect(end).toEqual((await sut.events(runId)).at(-1));
      expect(await sut.outcome(runId)).toEqual(end);
    });

    it('follows a run from before its first event exists', async () => {
      const sut = await connect();
      const runId = 'run_followfirst1';
      const following = collect(sut.follow(runId));
      await new Promise((r) => setTimeout(r, 300));
      await sut.startRun({ ...ORDER_QUESTION, runId });
      expect((await following).map((e) => e.type)).toEqual(COMPLETED_RUN);
    });

    it('replays a finished run from the start, and only new events with fromStart: false', async () => {
      const sut = await connect();
      const { runId } = await sut.startRun(ORDER_QUESTION);
      await stack.waitForEnd('acme', runId);
      expect((await collect(sut.follow(runId))).map((e) => e.type)).toEqual(COMPLETED_RUN);

      const stop = new AbortController();
      const tail = collect(sut.follow(runId, { fromStart: false, signal: stop.signal }));
      await new Promise((r) => setTimeout(r, 300));
      stop.abort();
      expect(await tail).toEqual([]);
    });

    it('resumes after a stream sequence with followLog: the rest of the run, nothing twice', async () => {
      const sut = await connect();
      const { runId } = await sut.startRun(ORDER_QUESTION);
      const all = await collect(sut.followLog(runId));
      expect(all.map((e) => e.event.type)).toEqual(COMPLETED_RUN);
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => a - b));
      const cut = 2;
      const rest = await collect(sut.followLog(runId, { afterSeq: all[cut - 1].seq }));
      expect(rest).toEqual(all.slice(cut));
    });

    it('gives one run for two startRun calls with the same idempotency key', async () => {
      const sut = await connect();
      const first = await sut.startRun({ ...ORDER_QUESTION, idempotencyKey: 'sdk-same-key' });
      const second = await sut.startRun({ ...ORDER_QUESTION, idempotencyKey: 'sdk-same-key' });
      expect(second).toEqual({
        runId: first.runId,
        idempotencyKey: 'sdk-same-key',
        duplicate: true,
      });
      const events = await collect(sut.follow(first.runId));
      expect(events.map((e) => e.type)).toEqual(COMPLETED_RUN);
      expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
    });

    it('refuses an idempotency key another kind of command already used', async () => {
      const sut = await connect();
      await sut.cancel('run_whatever1', { requestedBy: 'ops', idempotencyKey: 'sdk-shared-key' });
      await expect(
        sut.startRun({ ...ORDER_QUESTION, idempotencyKey: 'sdk-shared-key' }),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        problems: [expect.stringContaining('already used by another command')],
      });
    });

    it('surfaces an event that breaks the contract as an error instead of skipping it', async () => {
      const sut = await connect('broken');
      const h = natsHeaders();
      h.set(Header.Type, 'run.started');
      await stack.nc
        .jetstream()
        .publish(
          subjects.run(stack.prefix, 'broken', 'run_garbage1'),
          new TextEncoder().encode('{"type":"run.started"}'),
          { headers: h },
        );
      await expect(collect(sut.follow('run_garbage1'))).rejects.toMatchObject({
        name: 'InvalidEventError',
        subject: subjects.run(stack.prefix, 'broken', 'run_garbage1'),
        problems: expect.arrayContaining([expect.stringMatching(/^id must match/)]),
        message: expect.stringContaining(
          `invalid event at ${subjects.run(stack.prefix, 'broken', 'run_garbage1')}`,
        ),
      });
      await expect(sut.events('run_garbage1')).rejects.toMatchObject({ name: 'InvalidEventError' });
      await expect(collect(sut.subscribe({ durable: 'sdk-broken' }))).rejects.toMatchObject({
        name: 'InvalidEventError',
      });
      // The durable gave up on it (dead letter) instead of redelivering it forever.
      const dead = await (
        await stack.nc.jetstreamManager()
      ).streams.getMessage(streamNames(stack.prefix).ctl, {
        last_by_subj: subjects.deadLetter(stack.prefix, 'sdk-broken'),
      });
      expect(JSON.parse(Buffer.from(dead.data).toString())).toMatchObject({
        durable: 'sdk-broken',
        subject: subjects.run(stack.prefix, 'broken', 'run_garbage1'),
      });
    });

    it('says which prefix has no streams when the services never ran on it', async () => {
      const sut = new TetherClient(stack.nc, { prefix: 'nostreams', tenant: 'acme' });
      await expect(sut.startRun(ORDER_QUESTION)).rejects.toMatchObject({
        name: 'StreamUnavailableError',
        prefix: 'nostreams',
      });
      await expect(sut.follow('run_x').next()).rejects.toMatchObject({
        name: 'StreamUnavailableError',
      });
    });
  });

  describe('subscribe', () => {
    it('a durable shared by two subscribers sees every event of 50 runs once, in per-run order', async () => {
      const tenant = 'fifty';
      const starter = await connect(tenant);
      const group = [await connect(tenant), await connect(tenant)];
      const seen: Array<{ subscriber: number; delivery: Delivery }> = [];
      const stop = new AbortController();
      const consuming = group.map(async (client, subscriber) => {
        for await (const delivery of client.subscribe({
          durable: 'audit-fifty',
          signal: stop.signal,
        })) {
          seen.push({ subscriber, delivery });
          delivery.ack();
        }
      });

      const runs = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          starter.startRun({ ...ORDER_QUESTION, userId: `u_${i}` }),
        ),
      );
      const logs = new Map<string, TetherEvent[]>();
      for (const { runId } of runs) logs.set(runId, await stack.waitForEnd(tenant, runId, 30_000));
      const total = [...logs.values()].reduce((n, events) => n + events.length, 0);
      await eventually(
        () => (seen.length >= total ? true : undefined),
        `${total} deliveries`,
        30_000,
      );
      // Anything delivered twice would show up now.
      await new Promise((r) => setTimeout(r, 500));
      stop.abort();
      await Promise.all(consuming);

      expect(total).toBe(50 * COMPLETED_RUN.length);
      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((s) => s.delivery.event.id)).size).toBe(total);
      expect(seen.every((s) => !s.delivery.redelivered)).toBe(true);
      for (const [runId, log] of logs) {
        const ofRun = seen.filter((s) => s.delivery.event.runId === runId);
        // Put back together by stream sequence, the group saw exactly the run's log.
        expect(
          [...ofRun].sort((a, b) => a.delivery.seq - b.delivery.seq).map((s) => s.delivery.event),
        ).toEqual(log);
        // And each subscriber received its share of the run in log order.
        for (const subscriber of [0, 1]) {
          const seqs = ofRun.filter((s) => s.subscriber === subscriber).map((s) => s.delivery.seq);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        }
      }
      // The group shares the work.
      expect(seen.filter((s) => s.subscriber === 0).length).toBeGreaterThan(0);
      expect(seen.filter((s) => s.subscriber === 1).length).toBeGreaterThan(0);
    });

    it('yields only the asked types, and acks the others of a durable', async () => {
      const tenant = 'typed';
      const sut = await connect(tenant);
      const runs = await Promise.all([1, 2, 3].map(() => sut.startRun(ORDER_QUESTION)));
      for (const { runId } of runs) await stack.waitForEnd(tenant, runId);

      const stop = new AbortController();
      const picked: Delivery<'tool.completed' | 'run.completed'>[] = [];
      for await (const d of sut.subscribe({
        types: ['tool.completed', 'run.completed'],
        signal: stop.signal,
      })) {
        picked.push(d);
        if (picked.length === 6) stop.abort();
      }
      expect(picked.map((d) => d.event.type).sort()).toEqual([
        'run.completed',
        'run.completed',
        'run.completed',
        'tool.completed',
        'tool.completed',
        'tool.completed',
      ]);
      expect(new Set(picked.map((d) => d.event.runId))).toEqual(new Set(runs.map((r) => r.runId)));

      const completed: string[] = [];
      for await (const d of sut.subscribe({
        durable: 'typed-outcomes',
        types: ['run.completed'],
      })) {
        completed.push(d.event.runId);
        d.ack();
        if (completed.length === 3) break;
      }
      expect(completed.sort()).toEqual(runs.map((r) => r.runId).sort());
      const info = await eventually(async () => {
        const i = await (
          await stack.nc.jetstreamManager()
        ).consumers.info(streamNames(stack.prefix).evt, 'typed-outcomes');
        return i.num_ack_pending === 0 && i.num_pending === 0 ? i : undefined;
      }, 'every filtered-out event acked');
      expect(info.delivered.stream_seq).toBeGreaterThan(0);
    });
  });

  describe('cancel and decide', () => {
    it('records the cancel of an unknown run as command.rejected on the control stream', async () => {
      const sut = await connect();
      const since = new Date(Date.now() - 60_000);
      const { idempotencyKey } = await sut.cancel('run_doesnotexist', {
        requestedBy: 'ops',
        reason: 'testing',
      });
      const stop = new AbortController();
      let found;
      for await (const rejection of sut.rejections({ since, signal: stop.signal })) {
        if (rejection.requestId === idempotencyKey) {
          found = rejection;
          stop.abort();
        }
      }
      expect(found).toMatchObject({
        type: 'command.rejected',
        tenantId: 'acme',
        subject: subjects.command(stack.prefix, 'acme', 'run.cancel'),
        reason: 'unknown_run',
      });
    });

    it('cancels a run parked for an approval: follow ends with run.cancelled', async () => {
      const sut = await connect();
      const { runId } = await sut.startRun({
        agent: 'refund-agent',
        input: 'Refund $900 on order 1044',
        userId: 'u_88',
      });
      const events: TetherEvent[] = [];
      for await (const event of sut.follow(runId)) {
        events.push(event);
        if (event.type === 'tool.requested')
          await sut.cancel(runId, { requestedBy: 'ops_1', reason: 'customer withdrew' });
      }
      expect(events.at(-1)).toMatchObject({
        type: 'run.cancelled',
        data: { outcome: 'aborted', reason: 'cancelled', requestedBy: 'ops_1' },
      });
    });

    it('cancels a finished run only on paper: the rejection says it has finished', async () => {
      const sut = await connect();
      const { runId } = await sut.startRun(ORDER_QUESTION);
      await collect(sut.follow(runId));
      const { idempotencyKey } = await sut.cancel(runId, { requestedBy: 'ops' });
      const stop = new AbortController();
      let reason: string | undefined;
      for await (const r of sut.rejections({ signal: stop.signal })) {
        if (r.requestId === idempotencyKey) {
          reason = r.reason;
          stop.abort();
        }
      }
      expect(reason).toBe('run_finished');
      expect((await sut.events(runId)).at(-1)?.type).toBe('run.completed');
    });

    it('publishes approval.decide with its body to the command stream', async () => {
      const sut = await connect();
      const decision = {
        approvalId: 'apr_sdk1',
        decision: 'approve' as const,
        approverId: 'u_12',
        roles: ['approver'],
        editedArgs: { amount: 120 },
      };
      const { idempotencyKey } = await sut.decide(decision, { idempotencyKey: 'decide-sdk-1' });
      const stored = await (
        await stack.nc.jetstreamManager()
      ).streams.getMessage(streamNames(stack.prefix).cmd, {
        last_by_subj: subjects.command(stack.prefix, 'acme', 'approval.decide'),
      });
      expect(idempotencyKey).toBe('decide-sdk-1');
      expect(stored.header.get(Header.MsgId)).toBe('decide-sdk-1');
      expect(JSON.parse(Buffer.from(stored.data).toString())).toEqual(decision);
    });
  });

  it('close() ends open iterations', async () => {
    const sut = await TetherClient.connect({
      natsUrl: testEnv.natsUrl,
      prefix: stack.prefix,
      tenant: 'acme',
    });
    const pending = collect(sut.follow('run_neverstarted'));
    await new Promise((r) => setTimeout(r, 300));
    await sut.close();
    expect(await pending).toEqual([]);
    expect(sut.nc.isClosed()).toBe(true);
  });
});

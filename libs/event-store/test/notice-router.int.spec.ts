import type { NatsConnection } from 'nats';
import {
  Header,
  NoticeAudience,
  streamNames,
  subjects,
  type StoredEvent,
  type TetherEvent,
} from '@tether/contracts';
import {
  EventStore,
  NoticeRouter,
  deleteStreams,
  projectLog,
  provisionStreams,
  toEnvelopes,
  type Decided,
  type LoggedEvent,
  type RunningConsumer,
} from '@tether/event-store';
import { connectTestNats, eventually, uniquePrefix } from '../../testing/src/infra.helper';
import { detailedRun } from '../../testing/src/detailed-run';

const quiet = { error: jest.fn(), warn: jest.fn() };

describe('notices: the few events a service acts on, copied from the log', () => {
  let nc: NatsConnection;
  let store: EventStore;
  const prefix = uniquePrefix('notice');
  const running: RunningConsumer[] = [];
  let log: StoredEvent[] = [];
  let cancelled: TetherEvent[] = [];

  /** Reads one service's notices as that service does. */
  async function readNotices(audience: NoticeAudience): Promise<LoggedEvent[]> {
    const seen: LoggedEvent[] = [];
    running.push(
      await projectLog(
        nc,
        {
          prefix,
          durable: `test-${audience}`,
          ackWaitMs: 30_000,
          name: audience,
          notices: audience,
          logger: quiet,
        },
        async (batch) => {
          seen.push(...batch);
        },
      ),
    );
    return seen;
  }

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
    store = new EventStore(nc, prefix);
    const events = toEnvelopes(detailedRun('run_notice1'), {
      runId: 'run_notice1',
      tenantId: 'acme',
      source: 'test@0',
    });
    await store.appendAll(events, 0);
    log = await store.read('acme', 'run_notice1');
    // A run cancelled while its call waits for a person.
    const started = events[0];
    const requested = events.find((e) => e.type === 'approval.requested')!;
    cancelled = toEnvelopes(
      [
        { type: started.type, data: started.data },
        { type: requested.type, data: requested.data },
        {
          type: 'run.cancelled',
          data: { outcome: 'aborted', reason: 'user', message: 'stopped', requestedBy: 'u1' },
        },
      ] as Decided[],
      { runId: 'run_notice2', tenantId: 'acme', source: 'test@0' },
    );
    await store.appendAll(cancelled, 0);
    // The router as the trace-store's projector runs it: over the whole log.
    const router = new NoticeRouter(nc, prefix);
    running.push(
      await projectLog(
        nc,
        { prefix, durable: 'test-router', ackWaitMs: 30_000, name: 'router', logger: quiet },
        async (batch) => {
          await router.forward(batch);
        },
      ),
    );
  });
  afterAll(async () => {
    for (const r of running) await r.stop();
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  const typesOf = (events: StoredEvent[]) => events.map((s) => s.event.type);

  it('gives the budget ledger who the run acts for, what was paid or released, and its end', async () => {
    const seen = await readNotices(NoticeAudience.Budget);
    const paid = (e: TetherEvent) => ((e.data as { costUsd?: number }).costUsd ?? 0) > 0;
    const expected = log.filter(
      ({ event: e }) =>
        ['run.started', 'tool.denied', 'run.completed'].includes(e.type) ||
        (['model.responded', 'tool.completed'].includes(e.type) && paid(e)),
    );
    await eventually(() => seen.length >= expected.length + 2 || undefined, 'the budget notices');
    const first = seen.filter((s) => s.event.runId === 'run_notice1');
    expect(typesOf(first)).toEqual([
      'run.started',
      'model.responded',
      'tool.denied',
      'model.responded',
      'tool.completed',
      'model.responded',
      'run.completed',
    ]);
    // Each is the logged event itself, known by its place in the log.
    expect(first.map(({ seq, event }) => ({ seq, event }))).toEqual(expected);
    expect(seen.filter((s) => s.event.runId === 'run_notice2').map((s) => s.event.id)).toEqual([
      cancelled[0].id,
      cancelled[2].id,
    ]);
    // A model call that failed before anything was held, and unpaid calls, are not sent.
    expect(typesOf(seen)).not.toContain('model.failed');
    expect(log.length).toBeGreaterThan(seen.length * 2);
  });

  it('gives the approval queue what waits for a person, its outcome, and the end of a run that may leave it waiting', async () => {
    const seen = await readNotices(NoticeAudience.Approval);
    await eventually(() => seen.length >= 4 || undefined, 'the approval notices');
    // A completed run has nothing waiting: its end is not sent.
    expect(seen.map((s) => [s.event.runId, s.event.type])).toEqual([
      ['run_notice1', 'approval.requested'],
      ['run_notice1', 'approval.granted'],
      ['run_notice2', 'approval.requested'],
      ['run_notice2', 'run.cancelled'],
    ]);
    const both = [...log, ...(await store.read('acme', 'run_notice2'))];
    const bySeq = new Map(both.map((s) => [s.seq, s.event]));
    for (const { seq, event } of seen) expect(event).toEqual(bySeq.get(seq));
  });

  it('sends each notice on its service subject, with the type header of the log', async () => {
    const jsm = await nc.jetstreamManager();
    const ntc = streamNames(prefix).ntc;
    const end = log.at(-1)!;
    const msg = await jsm.streams.getMessage(ntc, {
      last_by_subj: subjects.notice(prefix, NoticeAudience.Budget, 'acme', 'run_notice1'),
    });
    expect(msg.header.get(Header.Type)).toBe('run.completed');
    expect(msg.header.get(Header.LogSeq)).toBe(String(end.seq));
    expect(msg.header.get(Header.MsgId)).toBe(`${end.event.id}.budget`);
  });

  it('stores nothing new when a batch is forwarded again', async () => {
    const jsm = await nc.jetstreamManager();
    const ntc = streamNames(prefix).ntc;
    const count = async () => (await jsm.streams.info(ntc)).state.messages;
    await eventually(async () => ((await count()) === 13 ? true : undefined), 'every notice');
    const again: LoggedEvent[] = [];
    const consumer = await projectLog(
      nc,
      { prefix, durable: 'test-again', ackWaitMs: 30_000, name: 'again', logger: quiet },
      async (batch) => {
        again.push(...batch);
      },
    );
    await eventually(() => again.length >= log.length + 3 || undefined, 'the log once more');
    await consumer.stop();
    expect(await new NoticeRouter(nc, prefix).forward(again)).toBe(13);
    expect(await count()).toBe(13);
  });
});

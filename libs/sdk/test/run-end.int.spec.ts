import { headers as natsHeaders, type NatsConnection } from 'nats';
import { Header, subjects, type TetherEvent } from '@tether/contracts';
import {
  EventStore,
  deleteStreams,
  encodeJson,
  newId,
  provisionStreams,
} from '@tether/event-store';
import { aRunStarted, anEvent, connectTestNats, uniquePrefix } from '../../testing/src';
import { TetherClient } from '../src';

const TENANT = 'acme';

/** Envelope fields of a fresh event of `runId`. */
const at = (runId: string) => ({
  runId,
  tenantId: TENANT,
  id: newId('evt'),
  time: new Date().toISOString(),
});
const started = (runId: string) =>
  anEvent('run.started', aRunStarted({ userId: 'u_1', agent: 'support-agent' }), at(runId));
const completed = (runId: string) =>
  anEvent(
    'run.completed',
    { outcome: 'success', reason: 'answered', message: 'done', output: 'order 1042 ships today' },
    at(runId),
  );

describe('waiting for a run to end (TetherClient.outcome and startAndWait)', () => {
  let nc: NatsConnection;
  let store: EventStore;
  let sut: TetherClient;
  const prefix = uniquePrefix('end');

  /** Stores an event the way an appender that died before announcing it would leave it. */
  async function storeUnannounced(event: TetherEvent): Promise<void> {
    const h = natsHeaders();
    h.set(Header.Type, event.type);
    await nc
      .jetstream()
      .publish(subjects.run(prefix, event.tenantId, event.runId), encodeJson(event), {
        msgID: event.id,
        headers: h,
      });
  }

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
    store = new EventStore(nc, prefix);
    sut = new TetherClient(nc, { prefix, tenant: TENANT });
  });
  afterAll(async () => {
    await sut.close();
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  it('announces a stored terminal event on the run end subject, and nothing else', async () => {
    const runId = newId('run');
    const heard: string[] = [];
    const sub = nc.subscribe(subjects.runEnd(prefix, TENANT, runId), {
      callback: (_err, m) => heard.push(m.headers?.get(Header.Type) ?? '?'),
    });
    await nc.flush();
    const end = completed(runId);
    await store.appendAll([started(runId), end], 0);
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    sub.unsubscribe();
    expect(heard).toEqual(['run.completed']);
  });

  it('resolves with the end as the appender announces it, without reading the log again', async () => {
    const runId = newId('run');
    await store.appendAll([started(runId)], 0);
    const waiting = sut.outcome(runId, { timeoutMs: 5_000, pollMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    const end = completed(runId);
    await store.append(end, await store.lastSeq(TENANT, runId));
    expect(await waiting).toEqual(end);
  });

  it('finds the end of a run that ended before anyone waited', async () => {
    const runId = newId('run');
    const end = completed(runId);
    await storeUnannounced(started(runId));
    await storeUnannounced(end);
    expect(await sut.outcome(runId, { timeoutMs: 5_000 })).toEqual(end);
  });

  it('finds an end that was never announced by reading the log every pollMs', async () => {
    const runId = newId('run');
    await storeUnannounced(started(runId));
    const waiting = sut.outcome(runId, { timeoutMs: 10_000, pollMs: 100 });
    await new Promise((r) => setTimeout(r, 300));
    const end = completed(runId);
    await storeUnannounced(end);
    expect(await waiting).toEqual(end);
  });

  it('finds the end when an approval outcome was appended after it', async () => {
    const runId = newId('run');
    const end = completed(runId);
    await storeUnannounced(started(runId));
    await storeUnannounced(end);
    await storeUnannounced(
      anEvent('approval.expired', { approvalId: 'apr_1', callId: 'call_1' }, at(runId)),
    );
    expect(await sut.outcome(runId, { timeoutMs: 5_000 })).toEqual(end);
  });

  it('gives up with RunEndTimeoutError after timeoutMs, and rejects on abort', async () => {
    const runId = newId('run');
    await storeUnannounced(started(runId));
    await expect(sut.outcome(runId, { timeoutMs: 200 })).rejects.toMatchObject({
      name: 'RunEndTimeoutError',
      runId,
      timeoutMs: 200,
    });
    const stop = new AbortController();
    const waiting = sut.outcome(runId, { signal: stop.signal });
    stop.abort(new Error('not needed any more'));
    await expect(waiting).rejects.toThrow('not needed any more');
    await expect(
      sut.outcome(runId, { signal: AbortSignal.abort(new Error('aborted before')) }),
    ).rejects.toThrow('aborted before');
  });

  it('refuses an announcement that is not the end of the awaited run', async () => {
    const runId = newId('run');
    const waiting = sut.outcome(runId, { timeoutMs: 5_000, pollMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    // Another run's end, published on this run's end subject.
    nc.publish(subjects.runEnd(prefix, TENANT, runId), encodeJson(completed(newId('run'))));
    await expect(waiting).rejects.toMatchObject({
      name: 'InvalidEventError',
      problems: [expect.stringContaining('is not the end of this run')],
    });
  });

  it('startAndWait publishes run.start and resolves with the end announced for it', async () => {
    const runId = newId('run');
    const reached = new Promise<void>((resolve) => {
      const sub = nc.subscribe(subjects.command(prefix, TENANT, 'run.start'), {
        callback: () => {
          sub.unsubscribe();
          resolve();
        },
      });
    });
    await nc.flush();
    // No orchestrator here: the test ends the run itself once the command is on the bus.
    const ending = reached.then(() => store.appendAll([started(runId), completed(runId)], 0));
    const result = await sut.startAndWait(
      { runId, agent: 'support-agent', input: 'Where is order 1042?', userId: 'u_1' },
      { timeoutMs: 5_000 },
    );
    await ending;
    expect(result).toMatchObject({
      runId,
      duplicate: false,
      end: { type: 'run.completed', runId },
    });

    // The same command again: deduplicated, and the run it names has already ended.
    const again = await sut.startAndWait(
      { runId, agent: 'support-agent', input: 'Where is order 1042?', userId: 'u_1' },
      { timeoutMs: 5_000, pollMs: 60_000 },
    );
    expect(again).toEqual({ ...result, duplicate: true });
  });

  it('startAndWait refuses an invalid run before anything is published, and stops waiting', async () => {
    const runId = newId('run');
    await expect(
      sut.startAndWait({ runId, agent: '', input: 'x', userId: 'u_1' }, { timeoutMs: 50 }),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    // The abandoned wait's timer must not surface later as an unhandled rejection.
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.lastSeq(TENANT, runId)).toBe(0);
  });

  it('close() rejects every wait still open with ClientClosedError', async () => {
    const client = new TetherClient(nc, { prefix, tenant: TENANT });
    const waiting = client.outcome(newId('run'));
    await client.close();
    await expect(waiting).rejects.toMatchObject({ name: 'ClientClosedError' });
  });
});

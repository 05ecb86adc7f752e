import type { NatsConnection } from 'nats';
import { objectBucketNames, type TetherEvent } from '@tether/contracts';
import { EventStore, SnapshotStore, deleteStreams, provisionStreams } from '@tether/event-store';
import { connectTestNats, uniquePrefix } from '../../testing/src/infra.helper';
import { escalated } from './escalated.event';

/** A state that records what it was folded from, to see which events a load read. */
interface Seen {
  messages: string[];
  lastEventId?: string;
}
const folded: TetherEvent[][] = [];
function fold(events: TetherEvent[], from?: Seen): Seen {
  folded.push(events);
  const state: Seen = from ? { ...from, messages: [...from.messages] } : { messages: [] };
  for (const e of events) {
    state.messages.push((e.data as { message: string }).message);
    state.lastEventId = e.id;
  }
  return state;
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe(SnapshotStore.name, () => {
  let nc: NatsConnection;
  let store: EventStore;
  let sut: SnapshotStore;
  const prefix = uniquePrefix('snap');

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
    store = new EventStore(nc, prefix);
    sut = new SnapshotStore(nc.jetstream(), prefix);
  });
  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });
  beforeEach(() => (folded.length = 0));

  async function appendSteps(runId: string, from: number, to: number, seq: number) {
    const events = [];
    for (let i = from; i <= to; i++)
      events.push({ ...escalated(runId, `step ${i}`), traceparent: TRACEPARENT });
    return { seq: await store.appendAll(events, seq), events };
  }

  it('loads a run from its snapshot and only the events after it', async () => {
    const first = await appendSteps('run_snap1', 1, 5, 0);
    const atSnapshot = fold(first.events);
    await sut.put('acme', 'run_snap1', {
      seq: first.seq,
      version: 'v1',
      traceparent: first.events[0].traceparent,
      state: atSnapshot,
    });
    const later = await appendSteps('run_snap1', 6, 8, first.seq);
    folded.length = 0;

    const sutLoad = await sut.load<Seen>(store, 'acme', 'run_snap1', fold, 'v1');

    expect(folded).toHaveLength(1);
    expect(folded[0].map((e) => e.id)).toEqual(later.events.map((e) => e.id));
    expect(sutLoad).toMatchObject({
      seq: later.seq,
      lastEventId: later.events.at(-1)!.id,
      traceparent: first.events[0].traceparent,
      snapshot: { seq: first.seq },
    });
    expect(sutLoad.state.messages).toEqual(Array.from({ length: 8 }, (_, i) => `step ${i + 1}`));
  });

  it('loads a run whose snapshot is its last event without reading any event', async () => {
    const { seq, events } = await appendSteps('run_snap2', 1, 3, 0);
    await sut.put('acme', 'run_snap2', { seq, version: 'v1', state: fold(events) });
    folded.length = 0;
    const sutLoad = await sut.load<Seen>(store, 'acme', 'run_snap2', fold, 'v1');
    expect(folded).toEqual([[]]);
    expect(sutLoad).toMatchObject({ seq, state: { messages: ['step 1', 'step 2', 'step 3'] } });
  });

  it('ignores a snapshot taken by another version and folds the whole log', async () => {
    const { seq, events } = await appendSteps('run_snap3', 1, 4, 0);
    await sut.put('acme', 'run_snap3', {
      seq,
      version: 'v0',
      state: { messages: ['from other code'] },
    });
    folded.length = 0;
    const sutLoad = await sut.load<Seen>(store, 'acme', 'run_snap3', fold, 'v1');
    expect(folded[0].map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(sutLoad.snapshot).toBeUndefined();
    expect(sutLoad.state.messages).toHaveLength(4);
  });

  it('ignores an unreadable snapshot, and reads none without a version', async () => {
    const { events } = await appendSteps('run_snap4', 1, 2, 0);
    const os = await nc.jetstream().views.os(objectBucketNames(prefix).snapshots);
    await os.putBlob({ name: 'acme/run_snap4' }, new TextEncoder().encode('{not json'));
    const broken = await sut.load<Seen>(store, 'acme', 'run_snap4', fold, 'v1');
    expect(broken.state.messages).toEqual(['step 1', 'step 2']);

    await sut.put('acme', 'run_snap4', { seq: 1, version: 'v1', state: { messages: ['x'] } });
    const unversioned = await sut.load<Seen>(store, 'acme', 'run_snap4', fold);
    expect(unversioned.snapshot).toBeUndefined();
    expect(unversioned.state.messages).toEqual(['step 1', 'step 2']);
    expect(unversioned.traceparent).toBe(events[0].traceparent);
  });

  it('keeps snapshots per tenant: another tenant’s run of the same id is not read', async () => {
    const { seq } = await appendSteps('run_snap5', 1, 2, 0);
    await sut.put('globex', 'run_snap5', { seq, version: 'v1', state: { messages: ['globex'] } });
    const sutLoad = await sut.load<Seen>(store, 'acme', 'run_snap5', fold, 'v1');
    expect(sutLoad.snapshot).toBeUndefined();
    expect(sutLoad.state.messages).toEqual(['step 1', 'step 2']);
  });
});

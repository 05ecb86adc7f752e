import { createHash } from 'node:crypto';
import type { NatsConnection } from 'nats';
import {
  Header,
  objectBucketNames,
  objectStreamName,
  streamNames,
  subjects,
  type StoredEvent,
  type TetherEvent,
} from '@tether/contracts';
import {
  DEFAULT_OFFLOAD_BYTES,
  EventStore,
  decodeEvent,
  deleteStreams,
  projectLog,
  provisionStreams,
  type RunningConsumer,
} from '@tether/event-store';
import { connectTestNats, eventually, uniquePrefix } from '../../testing/src/infra.helper';

let n = 0;
function completed(
  runId: string,
  result: unknown,
  tenantId = 'acme',
  callId = `call_${++n}`,
): TetherEvent {
  return {
    id: `evt_offload${Math.random().toString(36).slice(2, 14)}`,
    type: 'tool.completed',
    schemaVersion: 1,
    runId,
    tenantId,
    time: new Date().toISOString(),
    source: 'test@0.0.0',
    data: { callId, tool: 'fetch_report', result, latencyMs: 3, dryRun: false },
  } as TetherEvent;
}

/** A result of about `bytes` bytes of JSON that does not compress to nothing. */
function bigResult(bytes: number, seed: string): { rows: string[] } {
  const rows: string[] = [];
  for (let i = 0; rows.length * 100 < bytes; i++) {
    rows.push(createHash('sha256').update(`${seed}:${i}`).digest('hex').padEnd(96, '.'));
  }
  return { rows };
}

const sha256 = (data: unknown) => createHash('sha256').update(JSON.stringify(data)).digest('hex');

describe('events too large for a message', () => {
  let nc: NatsConnection;
  let store: EventStore;
  const prefix = uniquePrefix('offload');
  const bucket = objectBucketNames(prefix).payloads;

  beforeAll(async () => {
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
    store = new EventStore(nc, prefix);
  });
  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  async function rawMessage(runId: string, tenantId = 'acme') {
    const jsm = await nc.jetstreamManager();
    return jsm.streams.getMessage(streamNames(prefix).evt, {
      last_by_subj: subjects.run(prefix, tenantId, runId),
    });
  }

  it('stores the data of an event over the threshold in the payload bucket, and reads it back whole', async () => {
    const result = bigResult(DEFAULT_OFFLOAD_BYTES + 50_000, 'a');
    const event = completed('run_offload1', result);
    const { seq } = await store.append(event, 0);

    const msg = await rawMessage('run_offload1');
    expect(msg.seq).toBe(seq);
    expect(msg.data.length).toBeLessThan(2_000);
    const wire = JSON.parse(Buffer.from(msg.data).toString('utf8'));
    expect(wire.data).toEqual({});
    expect(wire.dataRef).toEqual({
      sha256: sha256(event.data),
      bytes: JSON.stringify(event.data).length,
    });
    expect(msg.header.get(Header.DataRef)).toBe(wire.dataRef.sha256);

    const os = await nc.jetstream().views.os(bucket);
    const stored = await os.getBlob(`acme/${wire.dataRef.sha256}`);
    expect(JSON.parse(Buffer.from(stored!).toString('utf8'))).toEqual(event.data);

    const [read] = await store.read('acme', 'run_offload1');
    expect(read).toEqual({ seq, event });
  });

  it('keeps an event at or under the threshold inline', async () => {
    const event = completed('run_inline1', bigResult(DEFAULT_OFFLOAD_BYTES - 10_000, 'b'));
    await store.append(event, 0);
    const msg = await rawMessage('run_inline1');
    expect(msg.header.get(Header.DataRef)).toBe('');
    expect(decodeEvent(msg.data)).toEqual(event);
  });

  it('appends an event larger than a message can hold at all (1.5 MB)', async () => {
    const event = completed('run_offload2', bigResult(1_500_000, 'c'));
    await store.append(event, 0);
    expect((await rawMessage('run_offload2')).data.length).toBeLessThan(2_000);
    const [read] = await store.read('acme', 'run_offload2');
    expect(read.event).toEqual(event);
  });

  it('stores a payload once per tenant however often it is appended, and apart from other tenants', async () => {
    const result = bigResult(300_000, 'd');
    const same = (tenantId: string) => completed('run_dup1', result, tenantId, 'call_same');
    let seq = 0;
    for (let i = 0; i < 3; i++) seq = (await store.append(same('acme'), seq)).seq;
    await store.append(same('globex'), 0);

    const hash = sha256(same('acme').data);
    const os = await nc.jetstream().views.os(bucket);
    const names = (await os.list()).map((o) => o.name).filter((name) => name.endsWith(hash));
    expect(names.sort()).toEqual([`acme/${hash}`, `globex/${hash}`]);
    const reads = await store.read('acme', 'run_dup1');
    expect(reads.map((r) => (r.event.data as { result: unknown }).result)).toEqual([
      result,
      result,
      result,
    ]);
  });

  it('refuses data that does not match its hash, naming the object', async () => {
    const event = completed('run_tamper1', bigResult(300_000, 'e'));
    await store.append(event, 0);
    const name = `acme/${sha256(event.data)}`;
    const os = await nc.jetstream().views.os(bucket);
    await os.putBlob({ name }, Buffer.from(JSON.stringify({ forged: true })));
    await expect(store.read('acme', 'run_tamper1')).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining(`${name} does not match its hash`),
    });
  });

  it('refuses the sync decoder an offloaded event with a clear error', async () => {
    await store.append(completed('run_sync1', bigResult(300_000, 'f')), 0);
    const msg = await rawMessage('run_sync1');
    expect(() => decodeEvent(msg.data)).toThrow(/payload bucket/);
  });

  it('hands projections the event with its data in place, and skips one whose data was forged', async () => {
    const forged = completed('run_proj1', bigResult(300_000, 'g1'));
    let seq = (await store.append(forged, 0)).seq;
    const os = await nc.jetstream().views.os(bucket);
    await os.putBlob({ name: `acme/${sha256(forged.data)}` }, Buffer.from('{"forged":true}'));
    const event = completed('run_proj1', bigResult(400_000, 'g2'));
    seq = (await store.append(event, seq)).seq;

    const seen: StoredEvent[] = [];
    const logger = { error: jest.fn(), warn: jest.fn() };
    const running: RunningConsumer = await projectLog(
      nc,
      { prefix, durable: 'test-offload', ackWaitMs: 30_000, name: 'test', logger },
      async (batch) => {
        seen.push(...batch);
      },
    );
    try {
      const got = await eventually(
        () => seen.find((s) => s.event.id === event.id),
        'the offloaded event in the projection',
      );
      expect({ seq: got.seq, event: got.event }).toEqual({ seq, event });
      expect(seen.some((s) => s.event.id === forged.id)).toBe(false);
      expect(logger.error).toHaveBeenCalledWith(
        expect.objectContaining({ err: expect.stringContaining('does not match its hash') }),
        expect.any(String),
      );
      expect(logger.warn).not.toHaveBeenCalled();
    } finally {
      await running.stop();
    }
  });

  it('deletes the object buckets with the streams of the prefix', async () => {
    const other = uniquePrefix('offdel');
    const jsm = await nc.jetstreamManager();
    await provisionStreams(jsm, other);
    const names = Object.values(objectBucketNames(other)).map(objectStreamName);
    for (const name of names) expect((await jsm.streams.info(name)).config.storage).toBe('file');
    await deleteStreams(jsm, other);
    for (const name of names) await expect(jsm.streams.info(name)).rejects.toThrow(/not found/);
  });
});

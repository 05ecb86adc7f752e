import type { NatsConnection } from 'nats';
import type { TetherEvent } from '@tether/contracts';
import { EventStore } from '@tether/event-store';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import {
  ALL_SERVICES,
  publishRunStart,
  startProcessStack,
  type ProcessStack,
} from '../process-stack';

const TERMINAL = new Set([
  'run.completed',
  'run.failed',
  'run.aborted',
  'run.cancelled',
  'run.rejected',
]);
const RUNS = 40;

/** No step of a run was decided twice: one response per model turn, one request and one start per call. */
function decisionsOf(events: TetherEvent[]) {
  const count = (key: string, map: Map<string, number>) => map.set(key, (map.get(key) ?? 0) + 1);
  const responded = new Map<string, number>();
  const requested = new Map<string, number>();
  const started = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'model.responded') count(String(e.data.step), responded);
    if (e.type === 'tool.requested') count(e.data.callId, requested);
    if (e.type === 'tool.started') count(e.data.callId, started);
  }
  const twice = [...responded, ...requested, ...started].filter(([, n]) => n > 1);
  return { twice, terminals: events.filter((e) => TERMINAL.has(e.type)).length };
}

describe('two orchestrator processes, one killed in the middle of a batch', () => {
  let stack: ProcessStack;
  let nc: NatsConnection;

  beforeAll(async () => {
    // A small per-instance concurrency spreads the batch over both orchestrators.
    stack = await startProcessStack('crashbatch', {
      TETHER_ACK_WAIT_MS: '2000',
      TETHER_ORCHESTRATOR_CONCURRENCY: '8',
    });
    for (const name of ALL_SERVICES) await stack.start(name);
    await stack.start('orchestrator', '2');
    nc = await connectTestNats('crash-batch');
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  it('finishes every run, with no step decided twice', async () => {
    const store = new EventStore(nc, stack.prefix);
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_batch${i}`);
    for (const runId of runIds) {
      // Half the runs have a slow tool, so the killed orchestrator surely holds some of them.
      const agent = Number(runId.slice(9)) % 2 ? 'slow-agent' : 'bench-agent';
      await publishRunStart(nc, stack.prefix, { runId, agent });
    }
    // Kill one orchestrator while the batch is in flight.
    await eventually(
      async () => ((await store.lastSeq('acme', runIds[RUNS - 1])) > 0 ? true : undefined),
      'the batch to start',
    );
    await stack.kill('orchestrator', 'SIGKILL', '1');

    const logs = await eventually(
      async () => {
        const all = await Promise.all(
          runIds.map(async (id) => (await store.read('acme', id)).map((s) => s.event)),
        );
        return all.every((events) => events.some((e) => TERMINAL.has(e.type))) ? all : undefined;
      },
      'every run to end',
      60_000,
    );

    // Some runs were taken over: a long pause between a tool's result and the next model call.
    const resumed = logs.filter((events) =>
      events.some(
        (e, i) =>
          e.type === 'tool.completed' &&
          events[i + 1] &&
          Date.parse(events[i + 1].time) - Date.parse(e.time) > 300,
      ),
    );
    expect(resumed.length).toBeGreaterThan(0);
    for (const events of logs) {
      const { twice, terminals } = decisionsOf(events);
      expect(twice).toEqual([]);
      expect(terminals).toBe(1);
      expect(events.at(-1)!.type).toBe('run.completed');
    }
  });
});

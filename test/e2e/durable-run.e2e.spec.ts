import type { NatsConnection } from 'nats';
import { EventStore } from '@tether/event-store';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import {
  ALL_SERVICES,
  publishRunStart,
  startProcessStack,
  type ProcessStack,
} from '../process-stack';

const TERMINAL = ['run.completed', 'run.failed', 'run.aborted', 'run.cancelled', 'run.rejected'];

describe('the whole stack as processes', () => {
  let stack: ProcessStack;
  let nc: NatsConnection;
  let store: EventStore;

  beforeAll(async () => {
    // A short ack wait so a killed worker's run moves on quickly.
    stack = await startProcessStack('durable', { TETHER_ACK_WAIT_MS: '2000' });
    for (const name of ALL_SERVICES) await stack.start(name);
    nc = await connectTestNats('durable-e2e');
    store = new EventStore(nc, stack.prefix);
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  const startRun = (runId: string, agent: string) =>
    publishRunStart(nc, stack.prefix, { runId, agent });
  const types = async (runId: string) => (await store.read('acme', runId)).map((s) => s.event.type);
  const ended = (runId: string, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const t = await types(runId);
        return t.some((x) => TERMINAL.includes(x)) ? t : undefined;
      },
      `${runId} to end`,
      timeoutMs,
    );

  it('runs the demo agent to completion with all seven services up', async () => {
    await startRun('run_proc1', 'support-agent');
    expect((await ended('run_proc1')).at(-1)).toBe('run.completed');
  });

  it('finishes a run on another orchestrator when the one driving it is killed mid-tool', async () => {
    await stack.start('orchestrator', '2');
    await startRun('run_crash1', 'slow-agent');
    // Kill whichever orchestrator holds the run once its slow tool has started.
    await eventually(
      async () => ((await types('run_crash1')).includes('tool.started') ? true : undefined),
      'tool.started',
    );
    await stack.kill('orchestrator', 'SIGKILL', '1');
    await stack.kill('orchestrator', 'SIGKILL', '2');
    await stack.start('orchestrator', '3');
    const t = await ended('run_crash1');
    expect(t.at(-1)).toBe('run.completed');
    // The tool ran exactly once and the step was decided once.
    expect(t.filter((x) => x === 'tool.started')).toHaveLength(1);
    expect(t.filter((x) => x === 'tool.completed')).toHaveLength(1);
    expect(t.filter((x) => x === 'run.started')).toHaveLength(1);
    expect(t.filter((x) => x === 'model.responded')).toHaveLength(2);
  });

  it('runs a read-only call again, as a new attempt, when its tool-executor died mid-call', async () => {
    await startRun('run_crash2', 'slow-agent');
    await eventually(
      async () => ((await types('run_crash2')).includes('tool.started') ? true : undefined),
      'tool.started',
    );
    await stack.kill('tool-executor', 'SIGKILL');
    await stack.start('tool-executor', '2');
    const t = await ended('run_crash2');
    const events = (await store.read('acme', 'run_crash2')).map((s) => s.event);
    // Reading has no effect to protect: after the dead worker's deadline the call runs again
    // with the same idempotency key. (A write's unknown outcome escalates: tool-crash.e2e.)
    const starts = events.filter((e) => e.type === 'tool.started');
    expect(starts.map((e) => e.data)).toEqual([
      expect.objectContaining({ attempt: 1, idempotencyKey: 'run_crash2:call_1_0' }),
      expect.objectContaining({ attempt: 2, idempotencyKey: 'run_crash2:call_1_0' }),
    ]);
    expect(t.filter((x) => x === 'tool.failed')).toHaveLength(0);
    expect(t.filter((x) => x === 'tool.completed')).toHaveLength(1);
    expect(t.at(-1)).toBe('run.completed');
  });

  it('does not time out a run while it waits for a human, and resumes it on expiry after its orchestrator died', async () => {
    await startRun('run_deadline1', 'parked-agent');
    await eventually(
      async () => ((await types('run_deadline1')).includes('tool.requested') ? true : undefined),
      'the run to park',
    );
    await stack.kill('orchestrator', 'SIGKILL', '3');
    await stack.start('orchestrator', '4');
    const t = await ended('run_deadline1', 20_000);
    const events = (await store.read('acme', 'run_deadline1')).map((s) => s.event);
    expect(t).toEqual([
      'run.started',
      'model.requested',
      'model.responded',
      'tool.requested',
      // Appended by whichever orchestrator drives the run when it parks, the new one included.
      'approval.requested',
      // The approval service expires it after 3 s and resumes the run: the call was never made.
      'approval.expired',
      'model.requested',
      'model.responded',
      'run.completed',
    ]);
    // Longer than the run's 2 s limit, all but a moment of it spent waiting for a human.
    const elapsed = Date.parse(events.at(-1)!.time) - Date.parse(events[0].time);
    expect(elapsed).toBeGreaterThanOrEqual(3000);
  });

  it('stops every service cleanly on SIGTERM', async () => {
    for (const name of ['approval', 'budget', 'eval', 'gateway'] as const) {
      await stack.kill(name, 'SIGTERM');
      expect(stack.output(name)).not.toMatch(/unhandled|uncaught/i);
    }
  });
});

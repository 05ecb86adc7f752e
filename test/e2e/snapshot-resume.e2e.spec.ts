import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { EventStore, SnapshotStore } from '@tether/event-store';
import { RUN_STATE_VERSION, fold, type RunState } from '@tether/run-domain';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import {
  publishRunStart,
  startProcessStack,
  waitForRunEnds,
  type ProcessStack,
} from '../process-stack';

const TURNS = 40;
/** What the orchestrator processes (version 0.1.0) write into their snapshots. */
const VERSION = `run-state-${RUN_STATE_VERSION}@0.1.0`;

/** Tool turns that each take a little while, so the run is surely mid-way when it is killed. */
function agentYaml(): string {
  // Two tools in turn with fresh arguments: never a loop.
  const script = Array.from({ length: TURNS }, (_, i) =>
    i % 2
      ? `    - toolCalls: [{ name: sleep, args: { ms: 120, turn: ${i + 1} } }]`
      : `    - toolCalls: [{ name: noop, args: { turn: ${i + 1} } }]`,
  );
  return [
    'name: snapshot-agent',
    'model:',
    '  provider: scripted',
    '  id: scripted-v1',
    '  script:',
    ...script,
    "    - text: 'All turns done.'",
    'instructions: Take your time.',
    'tools:',
    '  - { name: noop, tier: 0 }',
    '  - { name: sleep, tier: 0 }',
    "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
    `limits: { maxSteps: ${TURNS + 1}, maxToolCalls: ${TURNS}, timeoutMs: 600000 }`,
    '',
  ].join('\n');
}

describe('an orchestrator killed in the middle of a long run, resumed from its snapshot', () => {
  let stack: ProcessStack;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = await startProcessStack('snapresume', {
      TETHER_ACK_WAIT_MS: '2000',
      TETHER_SNAPSHOT_EVERY: '20',
      LOG_LEVEL: 'debug',
    });
    writeFileSync(join(stack.agentsDir, 'snapshot-agent.yaml'), agentYaml());
    for (const name of ['budget', 'tool-executor', 'orchestrator'] as const)
      await stack.start(name);
    nc = await connectTestNats('snapshot-resume');
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  it('finishes the run from the snapshot and the events after it, deciding no step twice', async () => {
    const store = new EventStore(nc, stack.prefix);
    const snapshots = new SnapshotStore(nc.jetstream(), stack.prefix);
    await publishRunStart(nc, stack.prefix, { runId: 'run_snapres1', agent: 'snapshot-agent' });

    // Kill it once a snapshot exists and the run has gone on past it.
    const before = await eventually(async () => {
      const snap = await snapshots.get<RunState>('acme', 'run_snapres1', VERSION);
      if (!snap) return undefined;
      return (await store.lastSeq('acme', 'run_snapres1')) > snap.seq ? snap : undefined;
    }, 'a snapshot of the run');
    await stack.kill('orchestrator', 'SIGKILL');
    await stack.start('orchestrator', '2');

    const [log] = await waitForRunEnds(nc, stack.prefix, ['run_snapres1'], 60_000);
    const events = log.map((s) => s.event);
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'All turns done.' },
    });
    const steps = events.filter((e) => e.type === 'model.responded').map((e) => e.data.step);
    expect(steps).toEqual(Array.from({ length: TURNS + 1 }, (_, i) => i + 1));
    const calls = events.filter((e) => e.type === 'tool.requested').map((e) => e.data.callId);
    expect(new Set(calls).size).toBe(TURNS);

    // The new instance started from a snapshot, not from the run's first event…
    expect(stack.output('orchestrator', '2')).toMatch(/run loaded from a snapshot/);
    // …and every snapshot it relied on is the fold of the log up to its sequence.
    for (const snap of [before, await snapshots.get<RunState>('acme', 'run_snapres1', VERSION)]) {
      const upTo = log.filter((s) => s.seq <= snap!.seq).map((s) => s.event);
      expect(snap!.state).toEqual(JSON.parse(JSON.stringify(fold(upTo))));
    }
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { longRunAgentYaml } from '@tether/testing';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

const TURNS = 100;

describe('a run of 100 model turns with a large context', () => {
  let stack: TestStack;
  const agents = testAgentsDir();

  beforeAll(async () => {
    // Every second turn echoes 6 KB: the context reaches ~150k tokens by the last turn.
    writeFileSync(join(agents.dir, 'long-run-agent.yaml'), longRunAgentYaml(TURNS, 6_000));
    stack = await startStack({
      label: 'longrun',
      agentsDir: agents.dir,
      services: ['tool-executor', 'budget', 'orchestrator'],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  it('completes, and its log grows with each turn’s new content, not with the whole context', async () => {
    await stack.startRun('acme', { runId: 'run_long1', agent: 'long-run-agent', input: 'go' });
    const events = await stack.waitForEnd('acme', 'run_long1', 120_000);
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: `Done after ${TURNS} tool turns.` },
    });
    const responded = events.filter((e) => e.type === 'model.responded');
    expect(responded).toHaveLength(TURNS + 1);
    // The model saw the whole context: ~150k tokens on the last turn.
    expect(
      (responded.at(-1)!.data as { usage: { inputTokens: number } }).usage.inputTokens,
    ).toBeGreaterThan(150_000);

    // Bytes the log holds per turn stay flat: the first ten turns cost what the last ten do.
    const bytesOfStep = new Map<number, number>();
    let step = 0;
    for (const e of events) {
      if (e.type === 'model.requested') step = (e.data as { step: number }).step;
      bytesOfStep.set(step, (bytesOfStep.get(step) ?? 0) + Buffer.byteLength(JSON.stringify(e)));
    }
    const sum = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => bytesOfStep.get(from + i) ?? 0).reduce(
        (a, b) => a + b,
        0,
      );
    const first = sum(1, 10);
    const last = sum(TURNS - 9, TURNS);
    expect(last / first).toBeLessThan(1.2);
    const total = [...bytesOfStep.values()].reduce((a, b) => a + b, 0);
    // ~50 echoing turns × 6 KB × 3 copies (proposed args, requested args, echoed result) + envelopes.
    expect(total).toBeLessThan(1.3e6);
  });
});

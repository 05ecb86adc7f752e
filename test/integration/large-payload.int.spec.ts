import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Header, streamNames, type TetherEvent } from '@tether/contracts';
import { TetherClient } from '@tether/sdk';
import { eventually } from '@tether/testing';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

/** Far over the 256 KB threshold; the tool call carries it, the tool echoes it back. */
const NOTES = 'the quarterly report, line by line. '.repeat(12_000);

const agentYaml = `name: big-payload-agent
model:
  provider: scripted
  id: scripted-v1
  script:
    - toolCalls: [{ name: noop, args: { notes: '${NOTES}' } }]
    - text: 'Read it all.'
instructions: Read the report.
tools:
  - { name: noop, tier: 0 }
permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]
limits: { maxTokens: 10000000 }
`;

describe('a run whose tool call and result are larger than a message', () => {
  let stack: TestStack;
  const agents = testAgentsDir();

  beforeAll(async () => {
    writeFileSync(join(agents.dir, 'big-payload-agent.yaml'), agentYaml);
    stack = await startStack({ label: 'bigpayload', agentsDir: agents.dir });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  it('completes, with the large data offloaded from the log and whole for every reader', async () => {
    expect(NOTES.length).toBeGreaterThan(400_000);
    await stack.startRun('acme', { runId: 'run_big1', agent: 'big-payload-agent', input: 'go' });
    const events = await stack.waitForEnd('acme', 'run_big1', 60_000);
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'Read it all.' },
    });

    const carrying = (e: TetherEvent) => JSON.stringify(e.data).includes(NOTES);
    const large = events.filter(carrying);
    // The model's turn proposing the call, the request to run it, and the echoed result.
    expect(large.map((e) => e.type)).toEqual(
      expect.arrayContaining(['model.responded', 'tool.requested', 'tool.completed']),
    );

    // The model's last turn saw the call and its echoed result: the orchestrator read the
    // executor's reply, which named the result's payload, whole.
    const lastTurn = events.filter((e) => e.type === 'model.responded').at(-1)!;
    const seen = (lastTurn.data as { usage: { inputTokens: number } }).usage.inputTokens;
    expect(seen).toBeGreaterThan(1.9 * (NOTES.length / 4));
    // In the log itself each of them is a small message naming its payload.
    const jsm = await stack.nc.jetstreamManager();
    const stored = await stack.store.read('acme', 'run_big1');
    for (const { seq, event } of stored) {
      const msg = await jsm.streams.getMessage(streamNames(stack.prefix).evt, { seq });
      if (carrying(event)) {
        expect({ type: event.type, bytes: msg.data.length < 4_096 }).toEqual({
          type: event.type,
          bytes: true,
        });
        expect(msg.header.get(Header.DataRef)).toMatch(/^[0-9a-f]{64}$/);
      } else {
        expect(msg.header.get(Header.DataRef)).toBe('');
      }
    }

    // A downstream reader through the SDK gets every event whole…
    const client = new TetherClient(stack.nc, { prefix: stack.prefix, tenant: 'acme' });
    const followed: TetherEvent[] = [];
    for await (const e of client.follow('run_big1')) followed.push(e);
    expect(followed).toEqual(events);

    // …and the trace-store projected the call with its arguments.
    const timeline = await eventually(async () => {
      const t = await client.runs.timeline('run_big1').catch(() => undefined);
      return t?.toolCalls[0]?.status === 'completed' ? t : undefined;
    }, 'the tool call in the trace');
    expect(JSON.stringify(timeline.toolCalls[0].args)).toContain(NOTES);
  });
});

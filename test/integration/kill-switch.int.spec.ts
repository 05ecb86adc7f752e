import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TetherEvent } from '@tether/contracts';
import { TetherClient } from '@tether/sdk';
import type { ToolPack } from '../../services/tool-executor/src/domain/tool-handler';
import { eventually } from '../../libs/testing/src/infra.helper';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

/** `step` holds its first call until the test lets it go, so a switch can be flipped mid-run. */
let release: () => void = () => undefined;
const held = () => new Promise<void>((r) => (release = r));
let hold: Promise<void> | undefined;
const calls: string[] = [];
const pack: ToolPack = {
  name: 'switchable',
  tools: {
    step: async (args) => {
      calls.push(`step:${String(args.n)}`);
      if (args.n === 1 && hold) await hold;
      return { ok: true };
    },
    other: async () => {
      calls.push('other');
      return { ok: true };
    },
  },
};

describe('a per-tool kill switch flipped during a run', () => {
  let stack: TestStack;
  let client: TetherClient;
  const agents = testAgentsDir();

  beforeAll(async () => {
    writeFileSync(
      join(agents.dir, 'switch-agent.yaml'),
      [
        'name: switch-agent',
        'model:',
        '  provider: scripted',
        '  id: scripted-v1',
        '  script:',
        '    - toolCalls: [{ name: step, args: { n: 1 } }]',
        '    - toolCalls: [{ name: step, args: { n: 2 } }]',
        '    - toolCalls: [{ name: other, args: {} }]',
        "    - text: 'Done.'",
        'instructions: Test agent.',
        'tools: [{ name: step, tier: 0 }, { name: other, tier: 0 }]',
        "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
      ].join('\n'),
    );
    stack = await startStack({
      label: 'killswitch',
      agentsDir: agents.dir,
      toolExecutor: { packs: [pack] },
    });
    client = new TetherClient(stack.nc, { prefix: stack.prefix, tenant: 'acme' });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  it('denies the next call of that tool within a second, and nothing else stops', async () => {
    hold = held();
    await stack.startRun('acme', { runId: 'run_switch1', agent: 'switch-agent' });
    await eventually(() => (calls.includes('step:1') ? true : undefined), 'the first call');

    const flip = await client.tools.disable('step', {
      tenant: 'acme',
      by: 'ops@acme.test',
      reason: 'step is misbehaving',
    });
    const flippedAt = Date.parse(flip.record.time);
    setTimeout(() => release(), 200);

    const events = await stack.waitForEnd('acme', 'run_switch1');
    const denied = events.find(
      (e): e is Extract<TetherEvent, { type: 'tool.denied' }> => e.type === 'tool.denied',
    );
    expect(denied?.data).toMatchObject({
      callId: 'call_2_0',
      tool: 'step',
      reason: 'kill_switch',
      rule: 'kill switch set by ops@acme.test',
      message: expect.stringContaining('step is misbehaving'),
    });
    expect(Date.parse(denied!.time) - flippedAt).toBeLessThan(1_000);
    // The agent went on: the other tool ran and the run completed.
    expect(calls).toEqual(['step:1', 'other']);
    expect(events.at(-1)?.type).toBe('run.completed');

    // The switch says who flipped it and why.
    const [current] = await client.tools.switches({ tenant: 'acme' });
    expect(current).toMatchObject({
      tool: 'step',
      tenant: 'acme',
      enabled: false,
      by: 'ops@acme.test',
      reason: 'step is misbehaving',
    });
  });

  it('holds only for its tenant, and lets the tool run again once re-enabled', async () => {
    hold = undefined;
    calls.length = 0;
    await stack.startRun('globex', { runId: 'run_switch2', agent: 'switch-agent' });
    const other = await stack.waitForEnd('globex', 'run_switch2');
    expect(other.filter((e) => e.type === 'tool.denied')).toEqual([]);

    await client.tools.enable('step', { tenant: 'acme', by: 'ops@acme.test', reason: 'fixed' });
    await new Promise((r) => setTimeout(r, 1_000));
    await stack.startRun('acme', { runId: 'run_switch3', agent: 'switch-agent' });
    const again = await stack.waitForEnd('acme', 'run_switch3');
    expect(again.filter((e) => e.type === 'tool.denied')).toEqual([]);
    expect(again.filter((e) => e.type === 'tool.completed')).toHaveLength(3);
  });
});

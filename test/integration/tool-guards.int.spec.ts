import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TetherEvent } from '@tether/contracts';
import { ToolFailure, type ToolPack } from '../../services/tool-executor/src/domain/tool-handler';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

const ALLOW_ALL = "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]";

function agent(name: string, turns: string[], tools: string[]): string {
  return [
    `name: ${name}`,
    'model:',
    '  provider: scripted',
    '  id: scripted-v1',
    '  script:',
    ...turns.map((t) => `    - ${t}`),
    "    - text: 'Done.'",
    'instructions: Test agent.',
    'tools:',
    ...tools.map((t) => `  - ${t}`),
    ALLOW_ALL,
  ].join('\n');
}

const calls = (tool: string, ...args: string[]) =>
  `toolCalls: [${args.map((a) => `{ name: ${tool}, args: ${a} }`).join(', ')}]`;

/** Tools that misbehave on purpose, counting how often they are really called. */
const count = { flakyRead: 0, flakyWrite: 0, broken: 0, jot: 0 };
const guardsPack: ToolPack = {
  name: 'guards',
  tools: {
    jot: async (args) => {
      count.jot += 1;
      return { noted: args.text };
    },
    flaky_read: async () => {
      count.flakyRead += 1;
      if (count.flakyRead <= 2) throw new ToolFailure('upstream answered 503', true);
      return { ok: true };
    },
    flaky_write: async () => {
      count.flakyWrite += 1;
      throw new ToolFailure('upstream answered 503', true);
    },
    hang: (_args, ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
    broken: async () => {
      count.broken += 1;
      throw new ToolFailure('connection refused', true);
    },
  },
};

const of = <T extends TetherEvent['type']>(events: TetherEvent[], type: T) =>
  events.filter((e): e is Extract<TetherEvent, { type: T }> => e.type === type);

describe('tool guards: rate limits, retries, timeouts and the circuit breaker', () => {
  let stack: TestStack;
  const agents = testAgentsDir();

  beforeAll(async () => {
    const write = (name: string, text: string) =>
      writeFileSync(join(agents.dir, `${name}.yaml`), text);
    write(
      'rate-agent',
      agent(
        'rate-agent',
        [calls('jot', '{ text: a }', '{ text: b }', '{ text: c }')],
        ['{ name: jot, tier: 1, rateLimit: 2/min, tenantRateLimit: 3/min }'],
      ),
    );
    write(
      'retry-agent',
      agent(
        'retry-agent',
        [calls('flaky_read', '{ q: 1 }'), calls('flaky_write', '{ q: 2 }')],
        ['{ name: flaky_read, tier: 0, idempotent: true }', '{ name: flaky_write, tier: 1 }'],
      ),
    );
    write(
      'timeout-agent',
      agent(
        'timeout-agent',
        [calls('hang_read', '{ q: 1 }'), calls('hang', '{ q: 2 }')],
        [
          '{ name: hang_read, tier: 0, timeoutMs: 300 }',
          '{ name: hang, tier: 1, idempotent: false, timeoutMs: 300 }',
        ],
      ),
    );
    write(
      'breaker-agent',
      agent(
        'breaker-agent',
        [1, 2, 3, 4].map((i) => calls('broken', `{ attempt: ${i} }`)),
        ['{ name: broken, tier: 0 }'],
      ),
    );
    stack = await startStack({
      label: 'toolguards',
      agentsDir: agents.dir,
      toolExecutor: {
        packs: [
          { ...guardsPack, tools: { ...guardsPack.tools, hang_read: guardsPack.tools.hang! } },
        ],
        invoker: { breakerThreshold: 3, halfOpenAfterMs: 60_000, maxAttempts: 3 },
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  it('limits calls per user, then per tenant, across runs', async () => {
    await stack.startRun('acme', { runId: 'run_rate1', agent: 'rate-agent', userId: 'u_1' });
    const first = await stack.waitForEnd('acme', 'run_rate1');
    expect(of(first, 'tool.completed')).toHaveLength(2);
    expect(of(first, 'tool.denied').map((e) => e.data)).toEqual([
      expect.objectContaining({
        callId: 'call_1_2',
        reason: 'rate_limited',
        message: expect.stringContaining('2/min per user'),
      }),
    ]);

    // Another user of the same tenant: the tenant's 3/min is used up by the first run.
    await stack.startRun('acme', { runId: 'run_rate2', agent: 'rate-agent', userId: 'u_2' });
    const second = await stack.waitForEnd('acme', 'run_rate2');
    expect(of(second, 'tool.completed')).toHaveLength(0);
    expect(of(second, 'tool.denied').map((e) => e.data.message)).toEqual([
      expect.stringContaining('3/min per tenant'),
      expect.stringContaining('3/min per tenant'),
      // Both limits are passed now; the user's is checked first.
      expect.stringContaining('2/min per user'),
    ]);

    // Another tenant has its own counts.
    await stack.startRun('globex', { runId: 'run_rate3', agent: 'rate-agent', userId: 'u_1' });
    const third = await stack.waitForEnd('globex', 'run_rate3');
    expect(of(third, 'tool.completed')).toHaveLength(2);
    expect(count.jot).toBe(4);
  });

  it('retries an idempotent tool with backoff, and never a tool that is not', async () => {
    await stack.startRun('acme', { runId: 'run_retry1', agent: 'retry-agent' });
    const events = await stack.waitForEnd('acme', 'run_retry1');
    expect(of(events, 'tool.completed')[0]?.data).toMatchObject({
      tool: 'flaky_read',
      attempts: 3,
    });
    expect(of(events, 'tool.failed')[0]?.data).toMatchObject({
      tool: 'flaky_write',
      reason: 'tool_error',
      retryable: true,
      attempts: 1,
    });
    expect(count).toMatchObject({ flakyRead: 3, flakyWrite: 1 });
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('times out a call: a read fails plainly, a write has an unknown outcome and escalates', async () => {
    await stack.startRun('acme', { runId: 'run_timeout1', agent: 'timeout-agent' });
    const events = await stack.waitForEnd('acme', 'run_timeout1');
    expect(of(events, 'tool.failed').map((e) => [e.data.tool, e.data.reason])).toEqual([
      ['hang_read', 'timeout'],
      ['hang', 'unknown_outcome'],
    ]);
    expect(of(events, 'run.escalated')[0]?.data).toMatchObject({ reason: 'unknown_outcome' });
    expect(events.at(-1)).toMatchObject({ type: 'run.failed', data: { outcome: 'partial' } });
  });

  it('opens the circuit after repeated failures and stops calling the tool', async () => {
    await stack.startRun('acme', { runId: 'run_breaker1', agent: 'breaker-agent' });
    const events = await stack.waitForEnd('acme', 'run_breaker1');
    expect(of(events, 'tool.failed').map((e) => e.data.reason)).toEqual([
      'tool_error',
      'tool_error',
      'tool_error',
      'circuit_open',
    ]);
    expect(count.broken).toBe(3);
  });
});

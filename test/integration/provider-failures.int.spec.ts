import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

/**
 * A real OpenAI-compatible server (outside Tether, so a small local one) that fails as each
 * test says, driven through the real provider, guard and orchestrator.
 */
describe('a failing model server, through the real provider and guard', () => {
  let stack: TestStack;
  let server: Server;
  const agents = testAgentsDir();
  let plan: Array<{ status: number; headers?: Record<string, string> }> = [];
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        const step = plan.shift();
        if (step) {
          res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
          res.end(
            JSON.stringify({ error: { message: `status ${step.status}`, type: 'server_error' } }),
          );
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            id: 'c1',
            object: 'chat.completion',
            created: 1763700000,
            model: 'primary-model',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: 'Primary answered.' },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      join(agents.dir, 'failover-agent.yaml'),
      [
        'name: failover-agent',
        `model: { provider: openai-compatible, id: primary-model, baseUrl: "http://127.0.0.1:${port}/v1" }`,
        'fallbacks:',
        "  - { provider: scripted, id: scripted-v1, script: [{ text: 'Fallback answered.' }] }",
        'instructions: Test agent.',
        'tools: []',
      ].join('\n'),
    );
    stack = await startStack({
      label: 'provfail',
      agentsDir: agents.dir,
      services: ['tool-executor', 'budget', 'orchestrator'],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    plan = [];
    hits = 0;
  });

  const failures = (events: { type: string; data: unknown }[]) =>
    events.filter((e) => e.type === 'model.failed').map((e) => (e.data as { error: string }).error);

  it('retries a 429 after its Retry-After and then succeeds on the same model', async () => {
    plan = [{ status: 429, headers: { 'retry-after': '1' } }];
    await stack.startRun('acme', { runId: 'run_429', agent: 'failover-agent', input: 'hi' });
    const events = await stack.waitForEnd('acme', 'run_429');
    expect(failures(events)).toHaveLength(1);
    expect(events.find((e) => e.type === 'model.failed')!.data).toMatchObject({
      retryable: true,
      attempt: 1,
    });
    const requested = events.filter((e) => e.type === 'model.requested');
    // The second attempt waited for the Retry-After second.
    expect(Date.parse(requested[1].time) - Date.parse(requested[0].time)).toBeGreaterThanOrEqual(
      900,
    );
    expect(events.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'Primary answered.' },
    });
  });

  it('falls back after repeated 500s, and the open breaker then spares the failing server', async () => {
    plan = Array.from({ length: 20 }, () => ({ status: 500 }));
    await stack.startRun('acme', { runId: 'run_500a', agent: 'failover-agent', input: 'hi' });
    const first = await stack.waitForEnd('acme', 'run_500a');
    expect(failures(first)).toHaveLength(3);
    expect(first.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'Fallback answered.' },
    });
    expect(hits).toBe(3);

    // Two more failures reach the server and open the circuit (5 in a row); the third attempt fails fast.
    await stack.startRun('acme', { runId: 'run_500b', agent: 'failover-agent', input: 'hi' });
    const second = await stack.waitForEnd('acme', 'run_500b');
    expect(hits).toBe(5);
    expect(failures(second)[2]).toMatch(/circuit open/);
    expect(second.at(-1)).toMatchObject({
      type: 'run.completed',
      data: { output: 'Fallback answered.' },
    });
  });
});

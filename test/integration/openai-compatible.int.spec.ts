import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

/** An OpenAI-compatible model server (like vLLM or Ollama) is outside Tether: a small local one speaks its protocol. */
describe('an agent on an openai-compatible model server, through the real provider', () => {
  let stack: TestStack;
  let server: Server;
  const agents = testAgentsDir();
  const requests: Array<{
    messages: Array<{
      role: string;
      content?: unknown;
      tool_calls?: unknown;
      tool_call_id?: string;
    }>;
    tools?: unknown[];
    auth?: string;
  }> = [];

  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const parsed = JSON.parse(await body(req));
      requests.push({ ...parsed, auth: req.headers.authorization });
      const sawTool = parsed.messages.some((m: { role: string }) => m.role === 'tool');
      const message = sawTool
        ? { role: 'assistant', content: 'Order 1042 shipped on 3 Nov.' }
        : {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_abc',
                type: 'function',
                function: { name: 'lookup_order', arguments: '{"orderId":"1042"}' },
              },
            ],
          };
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1763700000,
          model: 'qwen2.5-7b-instruct-q4',
          choices: [{ index: 0, message, finish_reason: sawTool ? 'stop' : 'tool_calls' }],
          usage: {
            prompt_tokens: 120,
            completion_tokens: 20,
            total_tokens: 140,
            prompt_tokens_details: { cached_tokens: 100 },
          },
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      join(agents.dir, 'local-model-agent.yaml'),
      [
        'name: local-model-agent',
        `model: { provider: openai-compatible, id: qwen2.5-7b-instruct, baseUrl: "http://127.0.0.1:${port}/v1", maxOutputTokens: 256 }`,
        'instructions: You help customers with orders.',
        'tools:',
        '  - { name: lookup_order, tier: 0, input: { type: object, properties: { orderId: { type: string } }, required: [orderId] } }',
        "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
      ].join('\n'),
    );
    stack = await startStack({
      label: 'oaicompat',
      agentsDir: agents.dir,
      services: ['tool-executor', 'budget', 'orchestrator'],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
    await new Promise((r) => server.close(r));
  });

  it('runs the tool the model asks for and records the exact model and usage', async () => {
    await stack.startRun('acme', {
      runId: 'run_local1',
      agent: 'local-model-agent',
      input: 'Where is order 1042?',
    });
    const events = await stack.waitForEnd('acme', 'run_local1');
    // A model with no price is still asked about: no dollar cap applies, so it holds nothing.
    expect(events.map((e) => e.type)).toEqual([
      'run.started',
      'budget.reserved',
      'model.requested',
      'model.responded',
      'tool.requested',
      'tool.started',
      'tool.completed',
      'budget.reserved',
      'model.requested',
      'model.responded',
      'run.completed',
    ]);
    expect(events[1].data).toMatchObject({
      amountUsd: 0,
      kind: 'model',
      item: 'openai-compatible:qwen2.5-7b-instruct',
    });
    expect(events[3].data).toMatchObject({
      model: 'qwen2.5-7b-instruct-q4',
      toolCalls: [{ callId: 'call_1_0', name: 'lookup_order', args: { orderId: '1042' } }],
      usage: { inputTokens: 120, outputTokens: 20, cachedInputTokens: 100, reasoningTokens: 0 },
      finishReason: 'tool_calls',
    });
    expect(events.at(-1)!.data).toMatchObject({
      outcome: 'success',
      output: 'Order 1042 shipped on 3 Nov.',
    });

    // The tool's result reached the model only as a tool message, never inside the instructions.
    const second = requests[1];
    expect(second.messages[0]).toEqual({
      role: 'system',
      content: 'You help customers with orders.',
    });
    const tool = second.messages.find((m) => m.role === 'tool')!;
    expect(tool.tool_call_id).toBe('call_1_0');
    expect(JSON.parse(String(tool.content))).toMatchObject({ found: true, status: 'shipped' });
    expect(requests[0].tools).toHaveLength(1);
  });
});

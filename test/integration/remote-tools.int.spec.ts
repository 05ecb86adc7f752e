import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { connectTestNats, uniquePrefix } from '../../libs/testing/src/infra.helper';
import { EnvSecretStore } from '../../services/tool-executor/src/adapters/secrets/secret.store';
import { startStack, type TestStack } from '../stack';

const ORDERS_TOKEN = 'Bearer orders-token-for-tests';

/**
 * Tools outside the tool-executor, declared in the agent's YAML only: an HTTP API (with a named
 * secret) and a remote tool answered by a NATS service of its own.
 */
describe('an agent whose tools live in an HTTP API and a NATS service', () => {
  const crmSubject = `${uniquePrefix('crm')}.customer.lookup`;
  let stack: TestStack;
  let api: Server;
  let crm: NatsConnection;
  let agentsDir: string;
  const apiSeen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const crmSeen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    api = createServer((req, res) => {
      apiSeen.push({ url: req.url ?? '', headers: req.headers });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ orderId: '1042', status: 'shipped' }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const { port } = api.address() as AddressInfo;

    crm = await connectTestNats('remote-tools-crm');
    crm.subscribe(crmSubject, {
      queue: 'crm',
      callback: (_err, msg) => {
        const request = JSON.parse(new TextDecoder().decode(msg.data));
        crmSeen.push(request);
        msg.respond(
          new TextEncoder().encode(
            JSON.stringify({ result: { customerId: request.args.customerId, tier: 'gold' } }),
          ),
        );
      },
    });
    await crm.flush();

    agentsDir = mkdtempSync(join(tmpdir(), 'tether-remote-tools-'));
    writeFileSync(join(agentsDir, 'remote-tools-agent.yaml'), agentYaml(port, crmSubject));
    stack = await startStack({
      label: 'remotetools',
      agentsDir,
      toolExecutor: {
        secrets: new EnvSecretStore({
          env: (name) => (name === 'ORDERS_TOKEN' ? ORDERS_TOKEN : undefined),
        }),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await crm?.close();
    await new Promise((r) => api.close(r));
    rmSync(agentsDir, { recursive: true, force: true });
  });

  it('runs both tools and records their results', async () => {
    await stack.startRun('acme', {
      runId: 'run_remote1',
      agent: 'remote-tools-agent',
      input: 'Where is order 1042, and who is customer c_42?',
    });
    const events = await stack.waitForEnd('acme', 'run_remote1');

    expect(events.at(-1)?.type).toBe('run.completed');
    const completed = events.filter((e) => e.type === 'tool.completed').map((e) => e.data);
    expect(completed).toEqual([
      expect.objectContaining({
        tool: 'get_order',
        result: { orderId: '1042', status: 'shipped' },
      }),
      expect.objectContaining({
        tool: 'crm_customer',
        result: { customerId: 'c_42', tier: 'gold' },
      }),
    ]);
    expect(apiSeen).toEqual([
      {
        url: '/orders/1042?expand=items',
        headers: expect.objectContaining({
          authorization: ORDERS_TOKEN,
          'idempotency-key': expect.stringMatching(/^run_remote1:/),
        }),
      },
    ]);
    expect(crmSeen).toEqual([
      expect.objectContaining({
        tool: 'crm_customer',
        args: { customerId: 'c_42' },
        tenantId: 'acme',
        runId: 'run_remote1',
        idempotencyKey: expect.stringMatching(/^run_remote1:/),
      }),
    ]);
  });
});

function agentYaml(port: number, subject: string): string {
  return `
name: remote-tools-agent
model:
  provider: scripted
  id: scripted-v1
  script:
    - toolCalls: [{ name: get_order, args: { orderId: '1042', expand: items } }]
    - toolCalls: [{ name: crm_customer, args: { customerId: c_42 } }]
    - text: Order 1042 has shipped; customer c_42 is a gold customer.
instructions: Test agent.
tools:
  - name: get_order
    tier: 0
    timeoutMs: 3000
    http:
      url: 'http://127.0.0.1:${port}/orders/{orderId}'
      method: GET
      headers: { Authorization: ORDERS_TOKEN }
    input:
      type: object
      properties: { orderId: { type: string }, expand: { type: string } }
      required: [orderId]
  - name: crm_customer
    tier: 1
    idempotent: true
    timeoutMs: 3000
    nats: { subject: ${subject} }
    input: { type: object, properties: { customerId: { type: string } }, required: [customerId] }
limits: { maxSteps: 6, maxToolCalls: 4, timeoutMs: 30000 }
permissions:
  - { role: '*', tool: '*', resource: '*', effect: allow }
`;
}

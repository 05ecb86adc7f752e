import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import type { TetherEvent } from '@tether/contracts';
import { EventStore } from '@tether/event-store';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import { publishRunStart, startProcessStack, type ProcessStack } from '../process-stack';

const RUNS = 16;
const CHARGE_MS = 800;
const TERMINAL = new Set(['run.completed', 'run.failed', 'run.aborted', 'run.cancelled']);

/**
 * A payment API outside Tether: it counts every charge per idempotency key and takes a while
 * to answer, so a batch always has charges in flight.
 */
function paymentApi() {
  const charges = new Map<string, number>();
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    const key = String(req.headers['idempotency-key'] ?? 'none');
    charges.set(key, (charges.get(key) ?? 0) + 1);
    inFlight += 1;
    setTimeout(() => {
      inFlight -= 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ charged: true, key }));
    }, CHARGE_MS);
  });
  return { server, charges, inFlight: () => inFlight };
}

describe('the tool-executor killed in the middle of a batch of non-idempotent HTTP calls', () => {
  let stack: ProcessStack;
  let nc: NatsConnection;
  const api = paymentApi();

  beforeAll(async () => {
    await new Promise<void>((r) => api.server.listen(0, '127.0.0.1', r));
    const { port } = api.server.address() as AddressInfo;
    stack = await startProcessStack('toolcrash', { TETHER_ACK_WAIT_MS: '2000' });
    writeFileSync(
      join(stack.agentsDir, 'charge-agent.yaml'),
      [
        'name: charge-agent',
        'model:',
        '  provider: scripted',
        '  id: scripted-v1',
        '  script:',
        '    - toolCalls: [{ name: charge_card, args: { amount: 5 } }]',
        "    - text: 'Charged.'",
        'instructions: Charge the card.',
        'tools:',
        '  - name: charge_card',
        '    tier: 1',
        '    idempotent: false',
        '    timeoutMs: 3000',
        `    http: { url: 'http://127.0.0.1:${port}/charge', method: POST }`,
        '    input: { type: object, properties: { amount: { type: number } }, required: [amount] }',
        "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
      ].join('\n'),
    );
    await stack.start('orchestrator');
    await stack.start('tool-executor');
    nc = await connectTestNats('tool-crash');
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
    await new Promise((r) => api.server.close(r));
  });

  it('makes every charge at most once and escalates every charge whose outcome is unknown', async () => {
    const store = new EventStore(nc, stack.prefix);
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_charge${i}`);
    for (const runId of runIds) {
      await publishRunStart(nc, stack.prefix, { runId, agent: 'charge-agent', userId: 'u_1' });
    }
    await eventually(async () => (api.inFlight() >= 3 ? true : undefined), 'charges in flight');
    await stack.kill('tool-executor', 'SIGKILL');
    await stack.start('tool-executor', '2');

    const logs = new Map<string, TetherEvent[]>();
    await eventually(
      async () => {
        for (const runId of runIds) {
          if (logs.has(runId)) continue;
          const events = (await store.read('acme', runId)).map((s) => s.event);
          if (events.some((e) => TERMINAL.has(e.type))) logs.set(runId, events);
        }
        return logs.size === RUNS ? true : undefined;
      },
      'every run to end',
      60_000,
    );

    // At most once: no idempotency key reached the payment API twice.
    const repeated = [...api.charges].filter(([, n]) => n > 1);
    expect(repeated).toEqual([]);

    let escalated = 0;
    for (const [runId, events] of logs) {
      const key = `${runId}:call_1_0`;
      const completed = events.some((e) => e.type === 'tool.completed');
      const unknown = events.find(
        (e) => e.type === 'tool.failed' && e.data.reason === 'unknown_outcome',
      );
      if (completed) {
        // A recorded charge happened exactly once, and the run finished normally.
        expect(api.charges.get(key)).toBe(1);
        expect(events.at(-1)?.type).toBe('run.completed');
        continue;
      }
      // Not recorded: the charge may or may not have happened, so a human is told, and the run
      // stops acting.
      expect(unknown).toBeDefined();
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['run.escalated', 'run.failed']),
      );
      expect(events.find((e) => e.type === 'run.escalated')?.data).toMatchObject({
        reason: 'unknown_outcome',
        callId: 'call_1_0',
        context: { idempotencyKey: key },
      });
      expect(events.at(-1)).toMatchObject({
        type: 'run.failed',
        data: { reason: 'unknown_outcome' },
      });
      escalated += 1;
    }
    // The kill happened with charges in flight: some outcomes must be unknown.
    expect(escalated).toBeGreaterThan(0);
    // Every charge that reached the API is accounted for: recorded, or escalated.
    for (const key of api.charges.keys()) {
      const runId = key.split(':')[0]!;
      expect(logs.has(runId)).toBe(true);
    }
  }, 120_000);
});

import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type TetherEvent } from '@tether/contracts';
import { startService, type RunningService } from '@tether/service-kit';
import { loadConfig as gatewayConfig } from '../../services/gateway/src/config';
import { gatewayService } from '../../services/gateway/src/gateway.module';
import {
  createKeyOverBus,
  expectProblem,
  httpClient,
  type Reply,
  type RequestOptions,
} from '../../services/gateway/test/gateway.helper';
import { readSse, type SseFrame, type SseOptions } from '../../services/gateway/test/sse.helper';
import { eventually, testEnv } from '../../libs/testing/src/infra.helper';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

/** Parks on an irreversible call until a human decides (nobody does here), for a minute. */
const HOLD_AGENT = [
  'name: hold-agent',
  'model:',
  '  provider: scripted',
  '  id: scripted-v1',
  '  script:',
  "    - toolCalls: [{ name: issue_refund, args: { orderId: '1044', amount: 10 } }]",
  "    - text: 'Refunded.'",
  'instructions: Test agent.',
  'tools:',
  '  - { name: issue_refund, tier: 2, idempotent: false, approval: { ttlMs: 60000 } }',
  'limits: { timeoutMs: 60000 }',
  "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
].join('\n');

describe('runs over HTTP: create, read, list, cancel and stream, through the real services', () => {
  let stack: TestStack;
  let baseUrl: string;
  let call: ReturnType<typeof httpClient>;
  const agents = testAgentsDir();
  const keys = { u1: '', u2: '', operator: '', approver: '', otherTenant: '', otherUser: '' };

  beforeAll(async () => {
    writeFileSync(join(agents.dir, 'hold-agent.yaml'), HOLD_AGENT);
    stack = await startStack({
      label: 'runshttp',
      agentsDir: agents.dir,
      services: ['trace-store', 'tool-executor', 'budget', 'orchestrator', 'gateway'],
    });
    baseUrl = urlOf(stack.services.gateway);
    call = httpClient(baseUrl);
    const createKey = (tenantId: string, subject: string, roles: string[]) =>
      createKeyOverBus(stack.nc, stack.prefix, tenantId, subject, roles);
    keys.u1 = await createKey('acme', 'u_1', ['user']);
    keys.u2 = await createKey('acme', 'u_2', ['user']);
    keys.operator = await createKey('acme', 'ops_1', ['operator']);
    keys.approver = await createKey('acme', 'apr_1', ['approver']);
    keys.otherTenant = await createKey('globex', 'ops_9', ['operator', 'admin']);
    keys.otherUser = await createKey('globex', 'u_9', ['user']);
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  const http = (method: string, path: string, key: string, o: RequestOptions = {}) =>
    call(method, path, { ...o, key });
  const create = (key: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
    http('POST', '/v1/runs', key, { body, ...(headers && { headers }) });
  const stream = (runId: string, key: string, o: Omit<SseOptions, 'key'> = {}) =>
    readSse(`${baseUrl}/v1/runs/${runId}/events`, { key, ...o });
  const ended = (runId: string) =>
    stack.waitForEnd('acme', runId).then(() => stack.store.read('acme', runId));

  async function startRun(
    key: string,
    agent: string,
    input = 'Where is order 1042?',
  ): Promise<string> {
    const res = await create(key, { agent, input });
    expect(res.status).toBe(202);
    return String(res.body.runId);
  }

  it('creates a run and streams its events over SSE, in log order, to the end', async () => {
    const res = await create(keys.u1, { agent: 'support-agent', input: 'Where is order 1042?' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      runId: expect.stringMatching(/^run_/),
      status: 'queued',
      replayed: false,
    });
    expect(res.headers.get('location')).toBe(`/v1/runs/${res.body.runId}`);
    const runId = String(res.body.runId);

    const reading = await stream(runId, keys.u1);
    expect(reading).toMatchObject({ status: 200, endedByServer: true });
    expect(reading.contentType).toMatch(/^text\/event-stream/);
    const log = await stack.store.read('acme', runId);
    expect(reading.frames.map((f) => f.event)).toEqual(log.map((s) => s.event.type));
    expect(reading.frames.map((f) => Number(f.id))).toEqual(log.map((s) => s.seq));
    expect(reading.frames.at(-1)!.event).toBe('run.completed');
    const events = reading.frames.map((f) => JSON.parse(f.data) as TetherEvent);
    expect(events[0]).toMatchObject({
      type: 'run.started',
      runId,
      tenantId: 'acme',
      data: { userId: 'u_1', agent: 'support-agent' },
    });
    expect(events.at(-1)!.data).toMatchObject({ outcome: 'success' });
  });

  it('resumes a stream with Last-Event-ID with no gap and no repeat, and says 204 once all is delivered', async () => {
    const runId = await startRun(keys.u1, 'hold-agent');
    const first = await stream(runId, keys.u1, {
      stopAfter: (f) => f.event === 'approval.requested',
    });
    expect(first.endedByServer).toBe(false);
    const lastId = first.frames.at(-1)!.id;

    // While nobody listens, the run goes on: it is cancelled.
    expect(
      (
        await http('POST', `/v1/runs/${runId}/cancel`, keys.u1, {
          body: { reason: 'changed my mind' },
        })
      ).status,
    ).toBe(202);
    const rest = await stream(runId, keys.u1, { lastEventId: lastId });
    expect(rest.endedByServer).toBe(true);
    expect(rest.frames.at(-1)!.event).toBe('run.cancelled');

    const log = await stack.store.read('acme', runId);
    expect([...first.frames, ...rest.frames].map((f) => Number(f.id))).toEqual(
      log.map((s) => s.seq),
    );

    // The same, for a client that can only put it in the query.
    const byQuery = await readSse(`${baseUrl}/v1/runs/${runId}/events?lastEventId=${lastId}`, {
      key: keys.u1,
    });
    expect(byQuery.frames.map((f) => f.id)).toEqual(rest.frames.map((f) => f.id));

    const after = await stream(runId, keys.u1, { lastEventId: String(log.at(-1)!.seq) });
    expect(after).toMatchObject({ status: 204, frames: [] });
    expectProblem(
      await http('GET', `/v1/runs/${runId}/events`, keys.u1, {
        headers: { 'last-event-id': 'yesterday' },
      }),
      400,
      'validation_failed',
    );
  });

  it('cancels a waiting run, and answers 409 once it has ended', async () => {
    const runId = await startRun(keys.u1, 'hold-agent');
    await stream(runId, keys.u1, { stopAfter: (f) => f.event === 'approval.requested' });
    const res = await http('POST', `/v1/runs/${runId}/cancel`, keys.operator, {
      body: { reason: 'stuck' },
    });
    expect(res).toMatchObject({ status: 202, body: { runId, status: 'cancelling' } });
    const log = await ended(runId);
    expect(log.at(-1)!.event).toMatchObject({
      type: 'run.cancelled',
      data: { requestedBy: 'ops_1' },
    });
    await eventually(
      async () =>
        (await http('GET', `/v1/runs/${runId}`, keys.u1)).body.status === 'cancelled'
          ? true
          : undefined,
      'cancelled run projected',
    );
    expectProblem(
      await http('POST', `/v1/runs/${runId}/cancel`, keys.u1, { body: {} }),
      409,
      'illegal_state',
    );
  });

  it('answers a run at once after its creation, and its outcome, answer and usage once it ends', async () => {
    const runId = await startRun(keys.u1, 'support-agent');
    const early = await http('GET', `/v1/runs/${runId}`, keys.u1);
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({
      runId,
      tenantId: 'acme',
      userId: 'u_1',
      agent: 'support-agent',
    });
    await ended(runId);
    const done = await eventually(async () => {
      const r = await http('GET', `/v1/runs/${runId}`, keys.u1);
      return r.body.status === 'completed' ? r : undefined;
    }, 'completed run projected');
    expect(done.body).toMatchObject({
      outcome: 'success',
      output: expect.stringContaining('1042'),
      steps: 2,
      toolCalls: 1,
      inputTokens: 958,
      outputTokens: 50,
      createdAt: expect.any(String),
      endedAt: expect.any(String),
    });
  });

  it("gives a run started as async the agent's async wall-clock limit", async () => {
    const limitsOf = async (body: Record<string, unknown>) => {
      const res = await create(keys.u1, { agent: 'hold-agent', input: 'go', ...body });
      expect(res.status).toBe(202);
      const started = await eventually(async () => {
        const log = await stack.store.read('acme', String(res.body.runId));
        return log.find((e) => e.event.type === 'run.started')?.event;
      }, 'run.started');
      return started.data as { limits: { timeoutMs: number }; execution?: string };
    };
    // hold-agent sets timeoutMs and leaves asyncTimeoutMs to its default (30 min).
    expect(await limitsOf({ execution: 'async' })).toMatchObject({
      execution: 'async',
      limits: { timeoutMs: 1_800_000 },
    });
    expect(await limitsOf({})).toMatchObject({ limits: { timeoutMs: 60_000 } });
    const bad = await create(keys.u1, { agent: 'hold-agent', input: 'go', execution: 'later' });
    expectProblem(bad, 400, 'validation_failed');
    expect(bad.body.problems).toEqual([expect.stringMatching(/execution/)]);
  });

  describe('idempotent create', () => {
    it('gives one run for the same key sent twice, and says the second was a replay', async () => {
      const body = {
        agent: 'support-agent',
        input: 'Where is order 1042?',
        metadata: { ticket: 'T-1' },
      };
      const a = await create(keys.u1, body, { 'idempotency-key': 'order-1042-a' });
      const b = await create(
        keys.u1,
        { metadata: { ticket: 'T-1' }, input: body.input, agent: body.agent },
        { 'idempotency-key': 'order-1042-a' },
      );
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(b.body).toEqual({ runId: a.body.runId, status: 'queued', replayed: true });
      expect(b.headers.get('idempotent-replayed')).toBe('true');
      expect(a.headers.get('idempotent-replayed')).toBeNull();
      const log = await ended(String(a.body.runId));
      expect(log.filter((s) => s.event.type === 'run.started')).toHaveLength(1);
    });

    it('gives one run for the same key sent by many clients at once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          create(
            keys.u1,
            { agent: 'support-agent', input: 'Where is order 1042?' },
            { 'idempotency-key': 'burst-1' },
          ),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
      const runIds = new Set(answers.map((a) => a.body.runId));
      expect(runIds.size).toBe(1);
      expect(answers.filter((a) => a.body.replayed === false)).toHaveLength(1);
      const [runId] = [...runIds];
      const log = await ended(String(runId));
      expect(log.filter((s) => s.event.type === 'run.started')).toHaveLength(1);
      const rows = await stack.services.gateway.dataSource.query(
        `SELECT run_id FROM gateway_run_requests WHERE tenant_id = 'acme' AND idempotency_key = 'burst-1'`,
      );
      expect(rows).toEqual([{ run_id: runId }]);
    });

    it('refuses the same key with another request, and keeps keys apart per tenant', async () => {
      const a = await create(
        keys.u1,
        { agent: 'support-agent', input: 'first' },
        { 'idempotency-key': 'reuse-1' },
      );
      const b = await create(
        keys.u1,
        { agent: 'support-agent', input: 'second' },
        { 'idempotency-key': 'reuse-1' },
      );
      expect(a.status).toBe(202);
      expectProblem(b, 422, 'idempotency_key_reused');
      const other = await create(
        keys.otherTenant,
        { agent: 'support-agent', input: 'first' },
        { 'idempotency-key': 'reuse-1' },
      );
      expect(other.status).toBe(202);
      expect(other.body.runId).not.toBe(a.body.runId);
      expectProblem(
        await create(
          keys.u1,
          { agent: 'support-agent', input: 'x' },
          { 'idempotency-key': 'has space' },
        ),
        400,
        'validation_failed',
      );
    });

    it('lets a key start a new run once its 24 hours are over', async () => {
      const a = await create(
        keys.u1,
        { agent: 'support-agent', input: 'old' },
        { 'idempotency-key': 'aged-1' },
      );
      await stack.services.gateway.dataSource.query(
        `UPDATE gateway_run_requests SET created_at = now() - interval '25 hours' WHERE run_id = $1`,
        [a.body.runId],
      );
      const b = await create(
        keys.u1,
        { agent: 'support-agent', input: 'new' },
        { 'idempotency-key': 'aged-1' },
      );
      expect(b.status).toBe(202);
      expect(b.body).toMatchObject({ replayed: false });
      expect(b.body.runId).not.toBe(a.body.runId);
    });
  });

  describe('who sees what', () => {
    let ownRun: string;
    let otherRun: string;

    beforeAll(async () => {
      ownRun = await startRun(keys.u1, 'support-agent');
      otherRun = await startRun(keys.u2, 'support-agent');
      await ended(ownRun);
      await ended(otherRun);
    });

    it('refuses every run endpoint without a key (401)', async () => {
      const anonymous = [
        await call('POST', '/v1/runs', { body: { agent: 'support-agent', input: 'x' } }),
        await call('GET', '/v1/runs'),
        await call('GET', `/v1/runs/${ownRun}`),
        await call('POST', `/v1/runs/${ownRun}/cancel`, { body: {} }),
        await call('GET', `/v1/runs/${ownRun}/events`),
      ];
      for (const reply of anonymous) expectProblem(reply, 401, 'unauthorized');
    });

    it('refuses every run endpoint to a key whose roles do not include running or watching runs (403)', async () => {
      const replies = [
        await create(keys.approver, { agent: 'support-agent', input: 'x' }),
        await http('GET', '/v1/runs', keys.approver),
        await http('GET', `/v1/runs/${ownRun}`, keys.approver),
        await http('POST', `/v1/runs/${ownRun}/cancel`, keys.approver, { body: {} }),
        await http('GET', `/v1/runs/${ownRun}/events`, keys.approver),
      ];
      for (const reply of replies) expectProblem(reply, 403, 'forbidden');
    });

    it("answers another tenant's run as not found (404), even to its admin", async () => {
      expectProblem(await http('GET', `/v1/runs/${ownRun}`, keys.otherTenant), 404, 'not_found');
      expectProblem(
        await http('POST', `/v1/runs/${ownRun}/cancel`, keys.otherTenant, { body: {} }),
        404,
        'not_found',
      );
      const events = await stream(ownRun, keys.otherTenant);
      expect(events).toMatchObject({ status: 404, frames: [] });
      const listed = await http('GET', '/v1/runs?limit=200', keys.otherTenant);
      expect(listed.body.items!.map((r) => r.runId)).not.toContain(ownRun);
    });

    it("answers another user's run as not found to a user key, and lists only their own", async () => {
      expectProblem(await http('GET', `/v1/runs/${otherRun}`, keys.u1), 404, 'not_found');
      expectProblem(
        await http('POST', `/v1/runs/${otherRun}/cancel`, keys.u1, { body: {} }),
        404,
        'not_found',
      );
      expect(await stream(otherRun, keys.u1)).toMatchObject({ status: 404 });
      expect((await http('GET', `/v1/runs/${ownRun}`, keys.u1)).status).toBe(200);

      const mine = await eventually(async () => {
        const r = await http('GET', '/v1/runs?limit=200', keys.u1);
        return r.body.items!.some((i) => i.runId === ownRun) ? r : undefined;
      }, 'own run listed');
      expect(new Set(mine.body.items!.map((r) => r.userId))).toEqual(new Set(['u_1']));
      expect(mine.body.items!.map((r) => r.runId)).not.toContain(otherRun);
      expectProblem(await http('GET', '/v1/runs?userId=u_2', keys.u1), 403, 'forbidden');
    });

    it('shows an operator every run of the tenant, filtered as asked', async () => {
      const all = await http('GET', '/v1/runs?limit=200', keys.operator);
      const ids = all.body.items!.map((r) => r.runId);
      expect(ids).toEqual(expect.arrayContaining([ownRun, otherRun]));
      const u2 = await http('GET', '/v1/runs?userId=u_2&status=completed&limit=200', keys.operator);
      expect(u2.body.items!.map((r) => r.runId)).toContain(otherRun);
      expect(new Set(u2.body.items!.map((r) => r.userId))).toEqual(new Set(['u_2']));
      expect((await stream(otherRun, keys.operator)).frames.at(-1)!.event).toBe('run.completed');
      expectProblem(
        await http('GET', '/v1/runs?status=lost', keys.operator),
        400,
        'validation_failed',
      );
    });

    it('pages through the list with the cursor', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page: Reply = await http(
          'GET',
          `/v1/runs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          keys.operator,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items!.map((r) => String(r.runId)));
        cursor = page.body.nextCursor as string | undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining([ownRun, otherRun]));
    });
  });

  describe('bad input', () => {
    it('refuses a malformed body with every problem named, and starts nothing', async () => {
      const res = await create(keys.u1, { agent: 'Not An Agent', mode: 'turbo', extra: 1 });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/agent/),
          expect.stringMatching(/input/),
          expect.stringMatching(/mode/),
          expect.stringMatching(/extra/),
        ]),
      );
    });

    it('lets only an operator start a run for another user', async () => {
      expectProblem(
        await create(keys.u1, { agent: 'support-agent', input: 'x', userId: 'u_2' }),
        403,
        'forbidden',
      );
      const res = await create(keys.operator, {
        agent: 'support-agent',
        input: 'Where is order 1042?',
        userId: 'customer-7',
      });
      expect(res.status).toBe(202);
      const log = await ended(String(res.body.runId));
      expect(log[0].event).toMatchObject({
        type: 'run.started',
        data: { userId: 'customer-7', roles: ['user'] },
      });
    });

    it('ends a run of an unknown agent as rejected, with the reason, and goes on serving', async () => {
      const runId = await startRun(keys.u1, 'no-such-agent');
      const reading = await stream(runId, keys.u1);
      expect(reading.frames.map((f) => f.event)).toEqual(['run.rejected']);
      const run = await eventually(async () => {
        const r = await http('GET', `/v1/runs/${runId}`, keys.u1);
        return r.body.status === 'rejected' ? r : undefined;
      }, 'rejected run projected');
      expect(run.body).toMatchObject({ reason: expect.stringMatching(/agent/), userId: null });
      expect(
        (await http('GET', `/v1/runs/${await startRun(keys.u1, 'support-agent')}`, keys.u1)).status,
      ).toBe(200);
    });
  });

  describe('kill switches over HTTP', () => {
    const flip = (key: string, tool: string, body: Record<string, unknown>) =>
      http('PUT', `/v1/switches/tools/${tool}`, key, { body });

    /** Runs support-agent in `tenant` until the switch has reached the executors; the last run's log. */
    async function runUntil(key: string, tenant: string, done: (types: string[]) => boolean) {
      return eventually(async () => {
        const res = await create(key, { agent: 'support-agent', input: 'Where is order 1042?' });
        const runId = String(res.body.runId);
        await stack.waitForEnd(tenant, runId);
        const log = await stack.store.read(tenant, runId);
        return done(log.map((s) => s.event.type)) ? log : undefined;
      }, 'the switch to reach the tool-executor');
    }

    it("switches a tool off for the operator's tenant only, records who and why, and back on", async () => {
      const off = await flip(keys.operator, 'lookup_order', {
        enabled: false,
        reason: 'incident 42',
      });
      expect(off).toMatchObject({
        status: 200,
        body: {
          tool: 'lookup_order',
          scope: 'tenant',
          enabled: false,
          by: 'ops_1',
          reason: 'incident 42',
          flipId: expect.stringMatching(/^swf_/),
        },
      });
      const listed = await http('GET', '/v1/switches/tools', keys.operator);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          tool: 'lookup_order',
          scope: 'tenant',
          enabled: false,
          by: 'ops_1',
        }),
      ]);
      expect((await http('GET', '/v1/switches/tools', keys.otherTenant)).body.items).toEqual([]);

      const denied = await runUntil(keys.u1, 'acme', (types) => types.includes('tool.denied'));
      expect(denied.find((s) => s.event.type === 'tool.denied')!.event.data).toMatchObject({
        reason: 'kill_switch',
      });
      // Another tenant's runs still use the tool.
      const globexRun = await create(keys.otherUser, {
        agent: 'support-agent',
        input: 'Where is order 1042?',
      });
      const globexLog = await stack.waitForEnd('globex', String(globexRun.body.runId));
      expect(globexLog.find((e) => e.type === 'tool.denied')?.data).toBeUndefined();
      expect(globexLog.map((e) => e.type)).toContain('tool.completed');

      expect(
        (await flip(keys.operator, 'lookup_order', { enabled: true, reason: 'fixed' })).body,
      ).toMatchObject({ enabled: true });
      await runUntil(keys.u1, 'acme', (types) => types.includes('tool.completed'));
    });

    it('refuses flips without a key, from a user key, and without a reason or a valid tool name', async () => {
      expectProblem(
        await call('PUT', '/v1/switches/tools/lookup_order', {
          body: { enabled: false, reason: 'x' },
        }),
        401,
        'unauthorized',
      );
      expectProblem(
        await flip(keys.u1, 'lookup_order', { enabled: false, reason: 'x' }),
        403,
        'forbidden',
      );
      expectProblem(await http('GET', '/v1/switches/tools', keys.approver), 403, 'forbidden');
      expectProblem(
        await flip(keys.operator, 'lookup_order', { enabled: false }),
        400,
        'validation_failed',
      );
      expectProblem(
        await flip(keys.operator, 'lookup_order', { enabled: false, reason: '   ' }),
        400,
        'validation_failed',
      );
      expectProblem(
        await flip(keys.operator, '9lives', { enabled: false, reason: 'x' }),
        400,
        'validation_failed',
      );
      expectProblem(
        await flip(keys.operator, 'lookup_order', { enabled: 'no', reason: 'x' }),
        400,
        'validation_failed',
      );
    });
  });

  it('answers 503 when the trace-store is down, and serves again when it is back', async () => {
    const runId = await startRun(keys.u1, 'support-agent');
    await ended(runId);
    await stack.down('trace-store');
    try {
      expectProblem(await http('GET', `/v1/runs/${runId}`, keys.u1), 503, 'service_unavailable');
      expectProblem(await http('GET', '/v1/runs', keys.u1), 503, 'service_unavailable');
    } finally {
      await stack.up('trace-store');
    }
    expect((await http('GET', `/v1/runs/${runId}`, keys.u1)).status).toBe(200);
  });

  it('drains on shutdown: not ready, in-flight requests finish, streams end and resume on another instance', async () => {
    const second = await startService(
      gatewayService(
        gatewayConfig({
          TETHER_PREFIX: stack.prefix,
          TETHER_NATS_URL: testEnv.natsUrl,
          DATABASE_URL: stack.db.url,
          TETHER_HTTP_PORT: '0',
          LOG_LEVEL: 'error',
          TETHER_SHUTDOWN_GRACE_MS: '1500',
        }),
      ),
    );
    const secondUrl = urlOf(second);
    const runId = await startRun(keys.u1, 'hold-agent');
    const frames: SseFrame[] = [];
    let parked!: () => void;
    const isParked = new Promise<void>((resolve) => (parked = resolve));
    const open = readSse(`${secondUrl}/v1/runs/${runId}/events`, {
      key: keys.u1,
      onFrame: (f) => {
        frames.push(f);
        if (f.event === 'approval.requested') parked();
      },
    });
    await isParked;

    const closing = second.close();
    const ready = await fetch(`${secondUrl}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 503,
      detail: 'not ready (lifecycle: shutting down)',
    });
    expect((await fetch(`${secondUrl}/health`)).status).toBe(200);
    // Still answering while it drains.
    expect((await httpClient(secondUrl)('GET', `/v1/runs/${runId}`, { key: keys.u1 })).status).toBe(
      200,
    );
    await closing;

    const cut = await open;
    expect(cut.endedByServer).toBe(true);
    expect(cut.frames.at(-1)!.event).toBe('approval.requested');

    await http('POST', `/v1/runs/${runId}/cancel`, keys.u1, { body: {} });
    const resumed = await stream(runId, keys.u1, { lastEventId: cut.frames.at(-1)!.id });
    const log = await stack.store.read('acme', runId);
    expect([...cut.frames, ...resumed.frames].map((f) => Number(f.id))).toEqual(
      log.map((s) => s.seq),
    );
  });
});

function urlOf(service: RunningService): string {
  const { port } = service.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

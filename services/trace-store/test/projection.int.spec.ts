import {
  deleteStreams,
  EventStore,
  requestService,
  toEnvelopes,
  type Decided,
} from '@tether/event-store';
import { baseConfig, startService, type RunningService } from '@tether/service-kit';
import {
  createTestDatabase,
  eventually,
  uniquePrefix,
  testEnv,
  type TestDatabase,
} from '../../../libs/testing/src/infra.helper';
import { traceStoreService } from '../src/trace-store.module';

const usage = { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 };

function runEvents(runId: string, steps: number): Decided[] {
  const out: Decided[] = [
    {
      type: 'run.started',
      data: {
        agent: 'a',
        release: 'rel_1',
        input: 'hi',
        userId: 'u1',
        roles: ['user'],
        mode: 'live',
        model: { provider: 'scripted', id: 's' },
        limits: { maxSteps: 15, maxToolCalls: 25, maxTokens: 200000, timeoutMs: 90000 },
      },
    },
  ] as Decided[];
  for (let s = 1; s <= steps; s++) {
    out.push({
      type: 'model.requested',
      data: { step: s, attempt: 1, provider: 'scripted', model: 's' },
    });
    out.push({
      type: 'model.responded',
      data: {
        step: s,
        model: 's',
        toolCalls: [{ callId: `call_${s}_0`, name: 'noop', args: {} }],
        usage,
        costUsd: 0.001,
        latencyMs: 1,
        finishReason: 'tool_calls',
      },
    });
    out.push({
      type: 'tool.requested',
      data: { callId: `call_${s}_0`, tool: 'noop', tier: 0, args: {}, step: s },
    });
    out.push({
      type: 'tool.started',
      data: {
        callId: `call_${s}_0`,
        tool: 'noop',
        attempt: 1,
        idempotencyKey: `${runId}:call_${s}_0`,
        deadline: '2030-01-01T00:00:00.000Z',
        dryRun: false,
      },
    });
    out.push({
      type: 'tool.completed',
      data: {
        callId: `call_${s}_0`,
        tool: 'noop',
        result: { ok: true },
        latencyMs: 1,
        dryRun: false,
      },
    });
  }
  out.push({
    type: 'run.completed',
    data: {
      outcome: 'success',
      reason: 'completed',
      message: 'done',
      output: `answer of ${runId}`,
    },
  });
  return out;
}

describe('trace-store projection', () => {
  const prefix = uniquePrefix('trace');
  let db: TestDatabase;
  let svc: RunningService;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('trace');
    const config = baseConfig(
      {
        TETHER_PREFIX: prefix,
        TETHER_NATS_URL: testEnv.natsUrl,
        DATABASE_URL: db.url,
        TETHER_HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      'trace-store',
      'test',
      0,
    );
    svc = await startService(traceStoreService(config));
    store = new EventStore(svc.nc, prefix);
  });
  afterAll(async () => {
    await svc?.close();
    const { connectTestNats } = await import('../../../libs/testing/src/infra.helper');
    const nc = await connectTestNats();
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
    await db?.drop();
  });

  async function appendRun(tenantId: string, runId: string, steps: number) {
    await store.appendAll(
      toEnvelopes(runEvents(runId, steps), { runId, tenantId, source: 'test@0' }),
      0,
    );
  }

  async function snapshot() {
    const runs = await svc.dataSource.query(`SELECT * FROM trace_runs ORDER BY tenant_id, run_id`);
    const events = await svc.dataSource.query(`SELECT * FROM trace_events ORDER BY seq`);
    return { runs, events };
  }

  it('projects every event once and summarises the run', async () => {
    await appendRun('acme', 'run_p1', 3);
    const run = await eventually(async () => {
      const rows = await svc.dataSource.query(`SELECT * FROM trace_runs WHERE run_id = 'run_p1'`);
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    }, 'run_p1 projected');
    expect(run).toMatchObject({
      tenant_id: 'acme',
      agent: 'a',
      release: 'rel_1',
      status: 'completed',
      outcome: 'success',
      reason: 'completed',
      steps: 3,
      tool_calls: 3,
      event_count: 17,
      output: 'answer of run_p1',
    });
    expect(Number(run.input_tokens)).toBe(300);
    expect(Number(run.cost_usd)).toBeCloseTo(0.003, 8);
    const events = await svc.dataSource.query(
      `SELECT type FROM trace_events WHERE run_id = 'run_p1' ORDER BY seq`,
    );
    expect(events.map((e: { type: string }) => e.type)).toEqual(
      runEvents('run_p1', 3).map((e) => e.type),
    );
  });

  it('answers queries scoped to the tenant only', async () => {
    await appendRun('other', 'run_p2', 1);
    await eventually(
      async () =>
        (await svc.dataSource.query(`SELECT 1 FROM trace_runs WHERE run_id='run_p2'`)).length
          ? true
          : undefined,
      'run_p2',
    );
    const mine = await requestService<{ runId: string }>(
      svc.nc,
      prefix,
      'trace-store',
      'run.get',
      { tenantId: 'other', runId: 'run_p2' },
      2000,
    );
    expect(mine.runId).toBe('run_p2');
    await expect(
      requestService(
        svc.nc,
        prefix,
        'trace-store',
        'run.get',
        { tenantId: 'acme', runId: 'run_p2' },
        2000,
      ),
    ).rejects.toMatchObject({ remoteName: 'NotFoundError' });
    const events = await requestService<unknown[]>(
      svc.nc,
      prefix,
      'trace-store',
      'run.events',
      { tenantId: 'acme', runId: 'run_p2' },
      2000,
    );
    expect(events).toEqual([]);
  });

  it('rebuilds identical tables from the log, and redelivery never double-counts', async () => {
    for (let i = 0; i < 20; i++) await appendRun(i % 2 ? 'acme' : 'globex', `run_rb${i}`, 2);
    const total = await svc.dataSource.query(`SELECT 1`).then(() => undefined);
    void total;
    const last = (
      await requestService<{ lastSeq: number }>(svc.nc, prefix, 'trace-store', 'status', {}, 2000)
    ).lastSeq;
    await eventually(
      async () =>
        (
          await requestService<{ checkpoint: number }>(
            svc.nc,
            prefix,
            'trace-store',
            'status',
            {},
            2000,
          )
        ).checkpoint >= last
          ? true
          : undefined,
      'caught up',
    );
    const before = await snapshot();
    const { lastSeq } = await requestService<{ lastSeq: number }>(
      svc.nc,
      prefix,
      'trace-store',
      'rebuild',
      {},
      10_000,
    );
    expect(lastSeq).toBe(last);
    await eventually(
      async () =>
        (
          await requestService<{ checkpoint: number }>(
            svc.nc,
            prefix,
            'trace-store',
            'status',
            {},
            2000,
          )
        ).checkpoint >= last
          ? true
          : undefined,
      'rebuilt',
    );
    const after = await snapshot();
    expect(after.runs).toEqual(before.runs);
    expect(after.events).toEqual(before.events);
    expect(after.runs.length).toBe(22);
  });
});

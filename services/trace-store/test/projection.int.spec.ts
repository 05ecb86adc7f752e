import { EventStore, requestService, toEnvelopes, type Decided } from '@tether/event-store';
import type { RunningService } from '@tether/service-kit';
import { eventually } from '../../../libs/testing/src/infra.helper';
import type { IsolatedService } from '../../../libs/testing/src/service.helper';
import { startTraceStore } from './trace-store.harness';

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
  let ts: IsolatedService;
  let prefix: string;
  let svc: RunningService;
  let store: EventStore;

  beforeAll(async () => {
    ts = await startTraceStore('trace');
    ({ prefix, sut: svc } = ts);
    store = new EventStore(svc.nc, prefix);
  });
  afterAll(() => ts?.stop());

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

describe('trace-store run lists', () => {
  let ts: IsolatedService;
  let prefix: string;
  let svc: RunningService;
  let store: EventStore;
  const list = (query: Record<string, unknown>) =>
    requestService<{ items: Array<Record<string, unknown>>; nextCursor?: string }>(
      svc.nc,
      prefix,
      'trace-store',
      'run.list',
      query,
      2000,
    );

  /** A one-step run of `userId` on `agent`; without `end` it stays running. */
  async function append(
    tenantId: string,
    runId: string,
    o: { userId: string; agent: string; end?: boolean },
  ) {
    const events = runEvents(runId, 1)
      .filter((e) => o.end !== false || e.type !== 'run.completed')
      .map((e) =>
        e.type === 'run.started'
          ? ({ ...e, data: { ...e.data, userId: o.userId, agent: o.agent } } as Decided)
          : e,
      );
    await store.appendAll(toEnvelopes(events, { runId, tenantId, source: 'test@0' }), 0);
  }

  beforeAll(async () => {
    ts = await startTraceStore('runlist');
    ({ prefix, sut: svc } = ts);
    store = new EventStore(svc.nc, prefix);
    for (let i = 0; i < 7; i++)
      await append('acme', `run_l${i}`, {
        userId: i % 2 ? 'u_odd' : 'u_even',
        agent: i < 4 ? 'support-agent' : 'billing-agent',
        end: i !== 6,
      });
    await append('globex', 'run_g0', { userId: 'u_odd', agent: 'support-agent' });
    await eventually(
      async () =>
        Number((await svc.dataSource.query(`SELECT count(*) AS n FROM trace_runs`))[0].n) === 8 ||
        undefined,
      'runs projected',
    );
  });
  afterAll(() => ts?.stop());

  it("lists one tenant's runs, newest first, without the answers", async () => {
    const page = await list({ tenantId: 'acme' });
    expect(page.items.map((r) => r.runId)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `run_l${i}`));
    expect(page.nextCursor).toBeUndefined();
    expect(page.items[1]).toMatchObject({
      tenantId: 'acme',
      agent: 'billing-agent',
      userId: 'u_odd',
      status: 'completed',
      outcome: 'success',
      steps: 1,
    });
    expect(page.items[1]).not.toHaveProperty('output');
    expect(Date.parse(String(page.items[1].createdAt))).not.toBeNaN();
    expect((await list({ tenantId: 'globex' })).items.map((r) => r.runId)).toEqual(['run_g0']);
    expect((await list({ tenantId: 'initech' })).items).toEqual([]);
  });

  it('filters by user, agent, status and outcome, together', async () => {
    const ids = async (q: Record<string, unknown>) =>
      (await list({ tenantId: 'acme', ...q })).items.map((r) => r.runId);
    expect(await ids({ userId: 'u_odd' })).toEqual(['run_l5', 'run_l3', 'run_l1']);
    expect(await ids({ agent: 'billing-agent' })).toEqual(['run_l6', 'run_l5', 'run_l4']);
    expect(await ids({ userId: 'u_even', agent: 'billing-agent' })).toEqual(['run_l6', 'run_l4']);
    expect(await ids({ status: 'running' })).toEqual(['run_l6']);
    expect(await ids({ outcome: 'success', agent: 'billing-agent' })).toEqual(['run_l5', 'run_l4']);
    expect(await ids({ release: 'rel_other' })).toEqual([]);
  });

  it('filters by the time the runs were created', async () => {
    const all = (await list({ tenantId: 'acme' })).items;
    const pivot = String(all[2].createdAt); // run_l4
    const after = (await list({ tenantId: 'acme', from: pivot })).items.map((r) => r.runId);
    const before = (await list({ tenantId: 'acme', to: pivot })).items.map((r) => r.runId);
    expect([...after, ...before].sort()).toEqual(all.map((r) => String(r.runId)).sort());
    expect(after).toContain('run_l4');
    expect(before).not.toContain('run_l4');
  });

  it('pages by cursor with no run twice and none missed', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list({ tenantId: 'acme', limit: 3, ...(cursor && { cursor }) });
      seen.push(...page.items.map((r) => String(r.runId)));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `run_l${i}`));
  });

  it('refuses a query without a tenant, with a bad filter or a forged cursor', async () => {
    await expect(list({})).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(list({ tenantId: 'a.b' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(list({ tenantId: 'acme', status: 'lost' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(list({ tenantId: 'acme', limit: 500 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(list({ tenantId: 'acme', from: 'yesterday' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(list({ tenantId: 'acme', cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('gets one run of the tenant with its answer, and no run of another tenant', async () => {
    const get = (tenantId: string, runId: string) =>
      requestService<Record<string, unknown>>(
        svc.nc,
        prefix,
        'trace-store',
        'run.get',
        { tenantId, runId },
        2000,
      );
    expect(await get('acme', 'run_l1')).toMatchObject({
      runId: 'run_l1',
      output: 'answer of run_l1',
      status: 'completed',
    });
    await expect(get('globex', 'run_l1')).rejects.toMatchObject({ code: 'not_found' });
  });
});

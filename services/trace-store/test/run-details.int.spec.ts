import type { RunTimeline, StoredEvent, TetherEvent } from '@tether/contracts';
import { detailedRun } from '@tether/testing';
import { EventStore, toEnvelopes } from '@tether/event-store';
import type { RunningService } from '@tether/service-kit';
import { eventually } from '../../../libs/testing/src/infra.helper';
import type { IsolatedService } from '../../../libs/testing/src/service.helper';
import { ProjectEventsHandler } from '../src/application/project-events.handler';
import { DETAIL_TABLES } from '../src/domain/run-details.projection';
import { askTraceStore, startTraceStore, type TraceStoreAsk } from './trace-store.harness';

describe('trace-store run details', () => {
  let ts: IsolatedService;
  let prefix: string;
  let svc: RunningService;
  let ask: TraceStoreAsk;

  beforeAll(async () => {
    ts = await startTraceStore('details');
    ({ prefix, sut: svc } = ts);
    ask = askTraceStore(ts);
    const store = new EventStore(svc.nc, prefix);
    for (const [tenantId, runId] of [
      ['acme', 'run_d1'],
      ['globex', 'run_d2'],
    ])
      await store.appendAll(
        toEnvelopes(detailedRun(runId), { runId, tenantId, source: 'test@0' }),
        0,
      );
    await eventually(async () => {
      const rows = await svc.dataSource.query(
        `SELECT 1 FROM trace_runs WHERE status = 'completed'`,
      );
      return rows.length === 2 || undefined;
    }, 'both runs projected');
  });
  afterAll(() => ts?.stop());

  it("serves a run's timeline: its turns, model calls, tool calls, approvals and guardrails", async () => {
    const t = await ask<RunTimeline>('run.timeline', { tenantId: 'acme', runId: 'run_d1' });
    expect(t.run).toMatchObject({ runId: 'run_d1', status: 'completed', output: 'Refunded.' });
    expect(t.steps.map((s) => [s.step, s.attempts, s.failures, s.toolCalls])).toEqual([
      [1, 2, 1, 2],
      [2, 1, 0, 1],
      [3, 1, 0, 0],
    ]);
    expect(t.steps[2]).toMatchObject({ text: 'Refunded.', finishReason: 'stop', costUsd: 0.0125 });
    expect(t.modelCalls.map((c) => [c.step, c.attempt, c.status, c.error])).toEqual([
      [1, 1, 'failed', 'HTTP 429'],
      [1, 2, 'responded', null],
      [2, 1, 'responded', null],
      [3, 1, 'responded', null],
    ]);
    expect(t.modelCalls[1]).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      inputTokens: 120,
      cachedInputTokens: 20,
      latencyMs: 812,
    });
    expect(t.toolCalls.map((c) => [c.callId, c.status, c.reason])).toEqual([
      ['call_1_0', 'completed', null],
      ['call_1_1', 'denied', 'permission_denied'],
      ['call_2_0', 'completed', null],
    ]);
    expect(t.toolCalls[0]).toMatchObject({
      tier: 0,
      args: { orderId: '7' },
      result: { status: 'shipped', email: '[redacted:email]' },
      guardrail: 'flag',
    });
    expect(Date.parse(t.toolCalls[0].endedAt!)).toBeGreaterThanOrEqual(
      Date.parse(t.toolCalls[0].startedAt!),
    );
    expect(t.toolCalls[0].startedAt).toMatch(/Z$/);
    expect(t.approvals).toEqual([
      expect.objectContaining({
        approvalId: 'apr_1',
        callId: 'call_2_0',
        status: 'granted',
        approverId: 'ops1',
        risk: 'high',
      }),
    ]);
    expect(t.guardrails).toEqual([
      expect.objectContaining({ ruleId: 'injection.ignore_previous', stage: 'tool_result' }),
    ]);
    for (const row of [...t.toolCalls, ...t.approvals, ...t.modelCalls])
      expect(Object.keys(row)).not.toEqual(
        expect.arrayContaining(['tenantId', 'tenant_id', 'statusSeq']),
      );
  });

  it("never serves another tenant's timeline", async () => {
    await expect(ask('run.timeline', { tenantId: 'acme', runId: 'run_d2' })).rejects.toMatchObject({
      remoteName: 'NotFoundError',
    });
    await expect(
      ask('run.timeline', { tenantId: 'acme', runId: 'run_d2 OR 1=1' }),
    ).rejects.toMatchObject({ remoteName: 'ValidationError' });
  });

  it('lists the runs that called a tool, within the tenant', async () => {
    const page = await ask<{ items: { runId: string }[] }>('run.list', {
      tenantId: 'acme',
      tool: 'issue_refund',
    });
    expect(page.items.map((r) => r.runId)).toEqual(['run_d1']);
    const none = await ask<{ items: unknown[] }>('run.list', {
      tenantId: 'acme',
      tool: 'never_called',
    });
    expect(none.items).toEqual([]);
  });

  it('gives the same details and summary however the events are batched and ordered', async () => {
    const logged: { seq: string; type: string; data: unknown; time: Date; event_id: string }[] =
      await svc.dataSource.query(
        `SELECT seq, type, data, time, event_id FROM trace_events WHERE tenant_id = 'acme' ORDER BY seq DESC`,
      );
    const handler = svc.app.get(ProjectEventsHandler);
    // The log's own sequence numbers: the checkpoint stays where the log is.
    const storedAs = (tenantId: string): StoredEvent[] =>
      logged.map((row) => ({
        seq: Number(row.seq),
        event: {
          id: row.event_id,
          type: row.type,
          schemaVersion: 1,
          tenantId,
          runId: 'run_d1',
          time: row.time.toISOString(),
          source: 'test@0',
          data: row.data,
        } as TetherEvent,
      }));
    // One by one, last event first: the run's end is projected before its start.
    for (const stored of storedAs('mirror')) expect(await handler.handle([stored])).toBe(1);
    // In batches of five, taken in the order 3, 1, 4, 0, 2, … (each batch in log order).
    const chunks: StoredEvent[][] = [];
    const inOrder = storedAs('mirror2').reverse();
    for (let i = 0; i < inOrder.length; i += 5) chunks.push(inOrder.slice(i, i + 5));
    const order = chunks.map((_, i) => i).sort((a, b) => ((a * 3) % 5) - ((b * 3) % 5) || b - a);
    expect(order).not.toEqual(chunks.map((_, i) => i));
    for (const i of order) expect(await handler.handle(chunks[i])).toBe(chunks[i].length);

    for (const table of ['trace_runs', ...DETAIL_TABLES.map((t) => t.table)]) {
      const of = (tenant: string) =>
        svc.dataSource.query(
          `SELECT * FROM ${table} WHERE tenant_id = $1 AND run_id = 'run_d1' ORDER BY 3, 4`,
          [tenant],
        );
      const strip = (rows: Record<string, unknown>[]) =>
        rows.map(({ tenant_id: _t, ...rest }) => rest);
      const original = strip(await of('acme'));
      expect(original.length).toBeGreaterThan(0);
      expect([table, strip(await of('mirror'))]).toEqual([table, original]);
      expect([table, strip(await of('mirror2'))]).toEqual([table, original]);
    }
    const [summary] = await svc.dataSource.query(
      `SELECT status, duration_ms, event_count FROM trace_runs WHERE tenant_id = 'mirror'`,
    );
    expect(summary).toEqual({
      status: 'completed',
      duration_ms: expect.any(Number),
      event_count: logged.length,
    });
  });
});

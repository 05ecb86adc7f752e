import { TraceOp } from '@tether/contracts';
import { detailedRun } from '@tether/testing';
import { EventStore, toEnvelopes } from '@tether/event-store';
import type { RunningService } from '@tether/service-kit';
import { eventually } from '../../../libs/testing/src/infra.helper';
import type { IsolatedService } from '../../../libs/testing/src/service.helper';
import { askTraceStore, startTraceStore, type TraceStoreAsk } from './trace-store.harness';

/**
 * Tenant B's runs through every query tenant A can make. `globex` holds a run with the same id
 * as one of `acme`'s, and one of its own; every filter value of globex's runs is tried.
 */
describe('trace-store tenant isolation', () => {
  let ts: IsolatedService;
  let prefix: string;
  let svc: RunningService;
  let ask: TraceStoreAsk;

  beforeAll(async () => {
    ts = await startTraceStore('isolation');
    ({ prefix, sut: svc } = ts);
    ask = askTraceStore(ts);
    const store = new EventStore(svc.nc, prefix);
    for (const [tenantId, runId] of [
      ['acme', 'run_shared'],
      ['globex', 'run_shared'],
      ['globex', 'run_globex'],
    ]) {
      const log = detailedRun(
        runId,
        tenantId === 'globex' ? { userId: 'g1', agent: 'g-agent' } : {},
      );
      await store.appendAll(toEnvelopes(log, { runId, tenantId, source: 'test@0' }), 0);
    }
    await eventually(async () => {
      const rows = await svc.dataSource.query(
        `SELECT 1 FROM trace_runs WHERE status = 'completed'`,
      );
      return rows.length === 3 || undefined;
    }, 'runs projected');
  });
  afterAll(() => ts?.stop());

  const asAcme = {
    [TraceOp.RunGet]: async () => {
      await expect(
        ask(TraceOp.RunGet, { tenantId: 'acme', runId: 'run_globex' }),
      ).rejects.toMatchObject({
        remoteName: 'NotFoundError',
      });
      const shared = await ask<{ tenantId: string; userId: string }>(TraceOp.RunGet, {
        tenantId: 'acme',
        runId: 'run_shared',
      });
      expect(shared).toMatchObject({ tenantId: 'acme', userId: 'u1' });
    },
    [TraceOp.RunList]: async () => {
      for (const filter of [
        {},
        { userId: 'g1' },
        { agent: 'g-agent' },
        { tool: 'issue_refund' },
        { status: 'completed' },
        { outcome: 'success' },
      ]) {
        const page = await ask<{ items: { tenantId: string; runId: string; userId: string }[] }>(
          TraceOp.RunList,
          { tenantId: 'acme', ...filter },
        );
        for (const item of page.items)
          expect(item).toMatchObject({ tenantId: 'acme', userId: 'u1' });
        expect(page.items.map((r) => r.runId)).not.toContain('run_globex');
      }
    },
    [TraceOp.RunEvents]: async () => {
      expect(await ask(TraceOp.RunEvents, { tenantId: 'acme', runId: 'run_globex' })).toEqual([]);
      const shared = await ask<{ tenantId: string }[]>(TraceOp.RunEvents, {
        tenantId: 'acme',
        runId: 'run_shared',
      });
      expect(shared.length).toBe(detailedRun('x').length);
      for (const e of shared) expect(e.tenantId).toBe('acme');
    },
    [TraceOp.RunTimeline]: async () => {
      await expect(
        ask(TraceOp.RunTimeline, { tenantId: 'acme', runId: 'run_globex' }),
      ).rejects.toMatchObject({ remoteName: 'NotFoundError' });
      const t = await ask<{ run: { tenantId: string; userId: string }; toolCalls: unknown[] }>(
        TraceOp.RunTimeline,
        { tenantId: 'acme', runId: 'run_shared' },
      );
      expect(t.run).toMatchObject({ tenantId: 'acme', userId: 'u1' });
      // Only acme's three calls, not globex's copies of the same ids.
      expect(t.toolCalls).toHaveLength(3);
    },
  };

  it('covers every query the trace-store answers', () => {
    expect(Object.keys(asAcme).sort()).toEqual(Object.values(TraceOp).sort());
  });

  it.each(Object.keys(asAcme))("%s never answers with another tenant's data", async (op) => {
    await asAcme[op as keyof typeof asAcme]();
  });

  it.each(Object.values(TraceOp))('%s refuses a request without a usable tenant', async (op) => {
    for (const tenantId of [undefined, '', '*', '>', 'acme.*', 'acme globex'])
      await expect(ask(op, { tenantId, runId: 'run_shared' })).rejects.toMatchObject({
        remoteName: 'ValidationError',
      });
  });
});

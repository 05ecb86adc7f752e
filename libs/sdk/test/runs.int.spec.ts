import { EventStore, requestService, toEnvelopes, type Decided } from '@tether/event-store';
import { detailedRun } from '@tether/testing';
import { baseConfig } from '@tether/service-kit';
import { eventually, testEnv } from '../../testing/src/infra.helper';
import { startIsolatedService, type IsolatedService } from '../../testing/src/service.helper';
import { traceStoreService } from '../../../services/trace-store/src/trace-store.module';
import { TetherClient } from '../src';

/** Up to (and with) the first tool's result: lookup_order called, issue_refund never asked for. */
const UNTIL_FIRST_RESULT = 10;

describe('client.runs against the real trace-store', () => {
  let ts: IsolatedService;
  let sut: TetherClient;
  const runs = { full: 'run_sdk_full', partial: 'run_sdk_partial', globex: 'run_sdk_globex' };

  beforeAll(async () => {
    ts = await startIsolatedService('sdkruns', (env) =>
      traceStoreService(baseConfig(env, 'trace-store', 'test', 0)),
    );
    const store = new EventStore(ts.sut.nc, ts.prefix);
    const append = (tenantId: string, runId: string, decided: Decided[]) =>
      store.appendAll(toEnvelopes(decided, { runId, tenantId, source: 'test@0' }), 0);
    await append('acme', runs.full, detailedRun(runs.full));
    await append('acme', runs.partial, detailedRun(runs.partial).slice(0, UNTIL_FIRST_RESULT));
    await append('globex', runs.globex, detailedRun(runs.globex));
    await eventually(async () => {
      const rows: unknown[] = await ts.sut.dataSource.query(
        'SELECT 1 FROM trace_runs WHERE event_count IN (20, $1)',
        [UNTIL_FIRST_RESULT],
      );
      return rows.length === 3 || undefined;
    }, 'the three runs projected');
    sut = await TetherClient.connect({
      natsUrl: testEnv.natsUrl,
      prefix: ts.prefix,
      tenant: 'acme',
      name: 'sdk-runs-test',
    });
  });
  afterAll(async () => {
    await sut?.close();
    await ts?.stop();
  });

  describe('timeline', () => {
    it('returns what the trace-store projected of the run, every row checked', async () => {
      const timeline = await sut.runs.timeline(runs.full);
      const served = await requestService(
        ts.sut.nc,
        ts.prefix,
        'trace-store',
        'run.timeline',
        { tenantId: 'acme', runId: runs.full },
        5_000,
      );
      expect(timeline).toEqual(served);
      expect(timeline.run).toMatchObject({
        runId: runs.full,
        status: 'completed',
        output: 'Refunded.',
      });
      expect(timeline.steps.map((s) => s.step)).toEqual([1, 2, 3]);
      expect(timeline.modelCalls.filter((c) => c.status === 'failed')).toEqual([
        expect.objectContaining({ step: 1, attempt: 1, error: 'HTTP 429', retryable: true }),
      ]);
      expect(timeline.toolCalls.map((c) => `${c.tool} ${c.status}`)).toEqual([
        'lookup_order completed',
        'delete_order denied',
        'issue_refund completed',
      ]);
      expect(timeline.approvals.map((a) => a.status)).toEqual(['granted']);
      expect(timeline.guardrails.map((g) => g.ruleId)).toEqual(['injection.ignore_previous']);
    });

    it('serves a run still going with the calls made so far', async () => {
      const timeline = await sut.runs.timeline(runs.partial);
      expect(timeline.run.status).toBe('running');
      expect(timeline.toolCalls.map((c) => c.callId)).toEqual(['call_1_0', 'call_1_1']);
      expect(timeline.approvals).toEqual([]);
    });

    it("says NotFoundError for another tenant's run and for a run nobody started", async () => {
      await expect(sut.runs.timeline(runs.globex)).rejects.toMatchObject({
        name: 'NotFoundError',
      });
      await expect(sut.runs.timeline('run_never_started')).rejects.toMatchObject({
        name: 'NotFoundError',
      });
    });

    it('refuses a run id that is not one, before asking', async () => {
      await expect(sut.runs.timeline('run_1 OR 1=1')).rejects.toMatchObject({
        name: 'ValidationError',
        problems: [expect.stringMatching(/is not "run_" followed by a subject-safe id/)],
      });
    });
  });

  describe('list by tool', () => {
    const listed = async (tool: string) =>
      (await sut.runs.list({ tool })).items.map((r) => r.runId).sort();

    it("lists the tenant's runs that called the tool", async () => {
      expect(await listed('issue_refund')).toEqual([runs.full]);
      expect(await listed('lookup_order')).toEqual([runs.full, runs.partial]);
      expect(await listed('never_called')).toEqual([]);
      const completed = await sut.runs.list({ tool: 'lookup_order', status: 'completed' });
      expect(completed.items.map((r) => r.runId)).toEqual([runs.full]);
    });

    it('refuses a tool that is not a string, before asking', async () => {
      await expect(sut.runs.list({ tool: 42 as unknown as string })).rejects.toMatchObject({
        name: 'ValidationError',
        problems: [expect.stringMatching(/tool must be a string/)],
      });
    });
  });
});

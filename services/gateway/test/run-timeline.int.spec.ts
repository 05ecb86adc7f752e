import type { RunTimeline } from '@tether/contracts';
import { requestService, toEnvelopes, type Decided } from '@tether/event-store';
import { eventually, detailedRun } from '@tether/testing';
import { startStack, type TestStack } from '../../../test/stack';
import { createKeyOverBus, expectProblem, httpClient, type Reply } from './gateway.helper';

/** The detailed run acting for `userId`, cut after its first `cut` events (all of them by default). */
function aDetailedRun(runId: string, userId: string, cut?: number): Decided[] {
  return detailedRun(runId)
    .slice(0, cut)
    .map((d) =>
      d.type === 'run.started' ? ({ ...d, data: { ...d.data, userId } } as Decided) : d,
    );
}

/** Up to (and with) the first tool's result: lookup_order called, issue_refund never asked for. */
const UNTIL_FIRST_RESULT = 10;

describe('GET /v1/runs/{runId}/timeline and GET /v1/runs?tool=, over the real trace-store', () => {
  let stack: TestStack;
  let call: ReturnType<typeof httpClient>;
  const keys = { u1: '', u2: '', operator: '', approver: '', otherTenant: '' };
  const runs = { full: 'run_tl_full', partial: 'run_tl_partial', globex: 'run_tl_globex' };

  beforeAll(async () => {
    stack = await startStack({ label: 'gwtimeline', services: ['trace-store', 'gateway'] });
    const { port } = stack.services.gateway.app.getHttpServer().address() as { port: number };
    call = httpClient(`http://127.0.0.1:${port}`);
    const createKey = (tenantId: string, subject: string, roles: string[]) =>
      createKeyOverBus(stack.nc, stack.prefix, tenantId, subject, roles);
    keys.u1 = await createKey('acme', 'u1', ['user']);
    keys.u2 = await createKey('acme', 'u2', ['user']);
    keys.operator = await createKey('acme', 'ops_1', ['operator']);
    keys.approver = await createKey('acme', 'apr_1', ['approver']);
    keys.otherTenant = await createKey('globex', 'ops_9', ['operator', 'admin']);

    const append = (tenantId: string, runId: string, decided: Decided[]) =>
      stack.store.appendAll(toEnvelopes(decided, { runId, tenantId, source: 'test@0' }), 0);
    await append('acme', runs.full, aDetailedRun(runs.full, 'u1'));
    await append('acme', runs.partial, aDetailedRun(runs.partial, 'u2', UNTIL_FIRST_RESULT));
    await append('globex', runs.globex, aDetailedRun(runs.globex, 'u1'));
    await eventually(async () => {
      const rows: { event_count: number }[] = await stack.services['trace-store'].dataSource.query(
        'SELECT event_count FROM trace_runs ORDER BY run_id',
      );
      const counts = rows.map((r) => Number(r.event_count));
      return counts.join() === [20, 20, UNTIL_FIRST_RESULT].join() || undefined;
    }, 'the three runs projected');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const get = (path: string, key?: string) => call('GET', path, key === undefined ? {} : { key });
  const timelineOf = (runId: string, key: string) => get(`/v1/runs/${runId}/timeline`, key);
  const runIds = (reply: Reply) => reply.body.items!.map((r) => String(r.runId)).sort();

  it('answers the run with its turns, model attempts, tool calls, approvals and guardrail triggers', async () => {
    const reply = await timelineOf(runs.full, keys.u1);
    expect(reply.status).toBe(200);
    // What the trace-store serves, as it serves it: nothing dropped or renamed on the way.
    const served = await requestService<RunTimeline>(
      stack.nc,
      stack.prefix,
      'trace-store',
      'run.timeline',
      { tenantId: 'acme', runId: runs.full },
      5_000,
    );
    expect(reply.body).toEqual(JSON.parse(JSON.stringify(served)));
    const t = reply.body as unknown as RunTimeline;
    expect(t.run).toMatchObject({ runId: runs.full, userId: 'u1', output: 'Refunded.' });
    expect(t.steps.map((s) => [s.step, s.failures, s.finishReason])).toEqual([
      [1, 1, 'tool_calls'],
      [2, 0, 'tool_calls'],
      [3, 0, 'stop'],
    ]);
    expect(t.modelCalls.map((c) => `${c.step}.${c.attempt} ${c.status}`)).toEqual([
      '1.1 failed',
      '1.2 responded',
      '2.1 responded',
      '3.1 responded',
    ]);
    expect(t.toolCalls.map((c) => `${c.tool} ${c.status} ${c.guardrail ?? '-'}`)).toEqual([
      'lookup_order completed flag',
      'delete_order denied -',
      'issue_refund completed -',
    ]);
    expect(t.toolCalls[1].deniedBy).toMatch(/→ deny$/);
    expect(t.approvals.map((a) => `${a.callId} ${a.status} by ${a.approverId}`)).toEqual([
      'call_2_0 granted by ops1',
    ]);
    expect(t.guardrails.map((g) => `${g.ruleId} ${g.callId}`)).toEqual([
      'injection.ignore_previous call_1_0',
    ]);
    // An operator sees the same.
    expect((await timelineOf(runs.full, keys.operator)).body).toEqual(reply.body);
  });

  it("answers another tenant's run as not found, even to its admin", async () => {
    expectProblem(await timelineOf(runs.full, keys.otherTenant), 404, 'not_found');
    expectProblem(await timelineOf(runs.globex, keys.operator), 404, 'not_found');
    expect((await timelineOf(runs.globex, keys.otherTenant)).status).toBe(200);
  });

  it("answers another user's run as not found to a user key", async () => {
    expectProblem(await timelineOf(runs.full, keys.u2), 404, 'not_found');
    expectProblem(await timelineOf(runs.partial, keys.u1), 404, 'not_found');
    const own = await timelineOf(runs.partial, keys.u2);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ run: { runId: runs.partial, status: 'running' } });
    expect((own.body as unknown as RunTimeline).approvals).toEqual([]);
  });

  it('answers a run the trace-store does not know yet as queued, with empty lists, to its user only', async () => {
    const created = await call('POST', '/v1/runs', {
      key: keys.u1,
      body: { agent: 'support-agent', input: 'Where is order 1042?' },
    });
    expect(created.status).toBe(202);
    const runId = String(created.body.runId);
    const reply = await timelineOf(runId, keys.u1);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      run: expect.objectContaining({
        runId,
        tenantId: 'acme',
        userId: 'u1',
        agent: 'support-agent',
        status: 'queued',
        steps: 0,
      }),
      steps: [],
      modelCalls: [],
      toolCalls: [],
      approvals: [],
      guardrails: [],
    });
    expectProblem(await timelineOf(runId, keys.u2), 404, 'not_found');
    expectProblem(await timelineOf('run_never_started', keys.operator), 404, 'not_found');
  });

  it('refuses the timeline without a key, to a key without a run role, and for a malformed run id', async () => {
    expectProblem(await get(`/v1/runs/${runs.full}/timeline`), 401, 'unauthorized');
    expectProblem(await timelineOf(runs.full, keys.approver), 403, 'forbidden');
    expectProblem(await timelineOf('not-a-run', keys.operator), 400, 'validation_failed');
  });

  describe('the tool filter', () => {
    it('lists the runs of the tenant that called a tool', async () => {
      expect(runIds(await get('/v1/runs?tool=issue_refund', keys.operator))).toEqual([runs.full]);
      expect(runIds(await get('/v1/runs?tool=delete_order', keys.operator))).toEqual([
        runs.full,
        runs.partial,
      ]);
      expect(runIds(await get('/v1/runs?tool=never_called', keys.operator))).toEqual([]);
      expect(runIds(await get('/v1/runs?tool=issue_refund', keys.otherTenant))).toEqual([
        runs.globex,
      ]);
    });

    it("lists a user key's own runs only, with the other filters", async () => {
      expect(runIds(await get('/v1/runs?tool=lookup_order', keys.u2))).toEqual([runs.partial]);
      expect(runIds(await get('/v1/runs?tool=issue_refund', keys.u2))).toEqual([]);
      expect(
        runIds(await get('/v1/runs?tool=lookup_order&status=completed', keys.operator)),
      ).toEqual([runs.full]);
    });

    it('refuses a tool that is not a tool name', async () => {
      for (const bad of ['9lives', '', 'issue%20refund', 'x'.repeat(65)]) {
        const reply = await get(`/v1/runs?tool=${bad}`, keys.operator);
        expectProblem(reply, 400, 'validation_failed');
        expect(reply.body.problems).toEqual([expect.stringMatching(/^tool must be a tool name/)]);
      }
    });
  });
});

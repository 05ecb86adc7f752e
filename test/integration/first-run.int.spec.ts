import { subjects } from '@tether/contracts';
import { eventually } from '../../libs/testing/src/infra.helper';
import { startStack, type TestStack } from '../stack';

describe('a run end to end (orchestrator, tool-executor, trace-store on real NATS and Postgres)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ label: 'firstrun' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('turns run.start into a completed run with a tier-0 tool call, and projects it', async () => {
    await stack.startRun('acme', { runId: 'run_e2e1' });
    const events = await stack.waitForEnd('acme', 'run_e2e1');
    expect(events.map((e) => e.type)).toEqual([
      'run.started',
      'model.requested',
      'model.responded',
      'tool.requested',
      'tool.started',
      'tool.completed',
      'model.requested',
      'model.responded',
      'run.completed',
    ]);
    const completed = events.at(-1)!;
    expect(completed.data).toMatchObject({ outcome: 'success', reason: 'completed' });
    expect((completed.data as { output: string }).output).toMatch(/1042/);
    const toolResult = events.find((e) => e.type === 'tool.completed')!.data as {
      result: { found: boolean; status: string };
    };
    expect(toolResult.result).toMatchObject({ found: true, status: 'shipped' });
    const started = events.find((e) => e.type === 'tool.started')!.data as {
      idempotencyKey: string;
    };
    expect(started.idempotencyKey).toBe('run_e2e1:call_1_0');
    // Every event carries the run, the tenant and a causation chain.
    for (const e of events)
      expect(e).toMatchObject({ runId: 'run_e2e1', tenantId: 'acme', schemaVersion: 1 });
    expect(events.slice(1).every((e, i) => e.causationId === events[i].id)).toBe(true);

    const row = await eventually(async () => {
      const rows =
        (await stack.db.url) &&
        (await stack.services['trace-store'].dataSource.query(
          `SELECT * FROM trace_runs WHERE run_id = 'run_e2e1'`,
        ));
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    }, 'projected run');
    expect(row).toMatchObject({
      tenant_id: 'acme',
      agent: 'support-agent',
      status: 'completed',
      outcome: 'success',
      steps: 2,
      tool_calls: 1,
      event_count: 9,
    });
    const projected = await stack.services['trace-store'].dataSource.query(
      `SELECT type FROM trace_events WHERE run_id = 'run_e2e1' ORDER BY seq`,
    );
    expect(projected.map((r: { type: string }) => r.type)).toEqual(events.map((e) => e.type));
  });

  it('gives one run for the same run.start published twice with one Nats-Msg-Id', async () => {
    await stack.startRun('acme', { runId: 'run_dup1' }, 'same-key');
    await stack.startRun('acme', { runId: 'run_dup1' }, 'same-key');
    const events = await stack.waitForEnd('acme', 'run_dup1');
    await new Promise((r) => setTimeout(r, 300));
    const again = await stack.store.read('acme', 'run_dup1');
    expect(again.length).toBe(events.length);
    expect(again.filter((e) => e.event.type === 'run.started')).toHaveLength(1);
  });

  it('rejects a second, different run.start for an existing run without touching it', async () => {
    await stack.startRun('acme', { runId: 'run_dup2' }, 'key-a');
    const first = await stack.waitForEnd('acme', 'run_dup2');
    await stack.startRun('acme', { runId: 'run_dup2' }, 'key-b');
    const rejected = await stack.rejectionOf('acme', 'key-b');
    expect(rejected).toMatchObject({ type: 'command.rejected', reason: 'duplicate_run' });
    expect(await stack.store.read('acme', 'run_dup2')).toHaveLength(first.length);
  });

  it.each([
    ['missing fields', { runId: 'run_bad1', input: 'hi' }, 'invalid_command'],
    [
      'an unknown agent',
      { runId: 'run_bad2', agent: 'no-such-agent', input: 'hi', userId: 'u', roles: [] },
      'unknown_agent',
    ],
    [
      'an oversized input',
      {
        runId: 'run_bad3',
        agent: 'support-agent',
        input: 'x'.repeat(20_001),
        userId: 'u',
        roles: [],
      },
      'input_too_large',
    ],
  ])(
    'rejects a run.start with %s with run.rejected, and a valid run right after completes',
    async (_label, body, reason) => {
      await stack.publishRaw(
        subjects.command(stack.prefix, 'acme', 'run.start'),
        JSON.stringify(body),
        `bad-${body.runId}`,
      );
      const events = await stack.waitForEnd('acme', body.runId);
      expect(events.map((e) => e.type)).toEqual(['run.rejected']);
      expect(events[0].data).toMatchObject({ outcome: 'failed', reason });
      expect((events[0].data as { message: string }).message.length).toBeGreaterThan(0);
      const ok = `run_after_${body.runId.slice(4)}`;
      await stack.startRun('acme', { runId: ok });
      expect((await stack.waitForEnd('acme', ok)).at(-1)!.type).toBe('run.completed');
    },
  );

  it('records unparseable commands as command.rejected on _CTL, and keeps serving', async () => {
    await stack.publishRaw(
      subjects.command(stack.prefix, 'acme', 'run.start'),
      '{not json',
      'garbage-1',
    );
    const rejected = await stack.rejectionOf('acme', 'garbage-1');
    expect(rejected).toMatchObject({ reason: 'invalid_command', body: '{not json' });
    await stack.startRun('acme', { runId: 'run_after_garbage' });
    expect((await stack.waitForEnd('acme', 'run_after_garbage')).at(-1)!.type).toBe(
      'run.completed',
    );
  });

  it('records a tool outage as tool.failed and lets the agent answer honestly', async () => {
    await stack.startRun('acme', {
      runId: 'run_outage1',
      agent: 'outage-agent',
      input: 'Where is my parcel?',
    });
    const events = await stack.waitForEnd('acme', 'run_outage1');
    const failed = events.find((e) => e.type === 'tool.failed');
    expect(failed?.data).toMatchObject({
      tool: 'track_parcel',
      reason: 'tool_error',
      retryable: false,
    });
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', data: { outcome: 'success' } });
    expect((events.at(-1)!.data as { output: string }).output).toMatch(/can't reach the carrier/);
  });

  it('parks an irreversible call for a human, never runs it, and cancels the parked run', async () => {
    await stack.startRun('acme', {
      runId: 'run_unsafe1',
      agent: 'refund-agent',
      input: 'Refund $900 on order 1044',
    });
    await eventually(async () => {
      const rows = await stack.services['trace-store'].dataSource.query(
        `SELECT status FROM trace_runs WHERE run_id = 'run_unsafe1'`,
      );
      return rows[0]?.status === 'waiting_for_approval' ? true : undefined;
    }, 'the run to wait for approval');
    // The approval request follows the call in a separate append: wait for the run to settle.
    const parked = await eventually(async () => {
      const types = (await stack.store.read('acme', 'run_unsafe1')).map((s) => s.event.type);
      return types.includes('approval.requested') ? types : undefined;
    }, 'the approval request');
    expect(parked).toEqual([
      'run.started',
      'model.requested',
      'model.responded',
      'tool.requested',
      'approval.requested',
    ]);
    const refunds = await stack.services['tool-executor'].dataSource.query(
      `SELECT count(*)::int AS n FROM support_refunds`,
    );
    expect(refunds[0].n).toBe(0);

    await stack.publishRaw(
      subjects.command(stack.prefix, 'acme', 'run.cancel'),
      JSON.stringify({ runId: 'run_unsafe1', requestedBy: 'ops_1', reason: 'customer withdrew' }),
      'cancel-unsafe1',
    );
    const events = await stack.waitForEnd('acme', 'run_unsafe1');
    expect(events.at(-1)).toMatchObject({
      type: 'run.cancelled',
      data: { outcome: 'aborted', reason: 'cancelled', requestedBy: 'ops_1' },
    });
  });

  it('refuses to cancel a finished run, recording why', async () => {
    await stack.startRun('acme', { runId: 'run_cancel1' });
    await stack.waitForEnd('acme', 'run_cancel1');
    await stack.publishRaw(
      subjects.command(stack.prefix, 'acme', 'run.cancel'),
      JSON.stringify({ runId: 'run_cancel1', requestedBy: 'ops' }),
      'cancel-1',
    );
    const rejected = await stack.rejectionOf('acme', 'cancel-1');
    expect(rejected.reason).toBe('run_finished');
    expect((await stack.store.read('acme', 'run_cancel1')).at(-1)!.event.type).toBe(
      'run.completed',
    );
  });
});

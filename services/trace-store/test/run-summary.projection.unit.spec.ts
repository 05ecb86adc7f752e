import {
  aModelResponded,
  aRunStarted,
  aToolCompleted,
  aToolRequested,
  anEvent,
  TEST_RUN_ID,
  TEST_TENANT_ID,
} from '@tether/testing';
import type { TetherEvent } from '@tether/contracts';
import {
  applyToSummary,
  emptySummary,
  summariesOf,
  type RunSummary,
} from '../src/domain/run-summary.projection';

const usage = (i: number, o: number) => ({
  inputTokens: i,
  outputTokens: o,
  cachedInputTokens: 0,
  reasoningTokens: 0,
});

function project(
  events: Array<[TetherEvent, number]>,
  start: RunSummary = emptySummary(TEST_TENANT_ID, TEST_RUN_ID),
) {
  return events.reduce((s, [e, seq]) => applyToSummary(s, e, seq), start);
}

const log: Array<[TetherEvent, number]> = [
  [anEvent('run.started', aRunStarted(), { seq: 1 }), 10],
  [
    anEvent(
      'model.responded',
      aModelResponded(1, {
        toolCalls: [{ callId: 'c1', name: 'lookup_order', args: {} }],
        usage: usage(100, 10),
        costUsd: 0.25,
      }),
      { seq: 2 },
    ),
    11,
  ],
  [anEvent('tool.requested', aToolRequested('c1'), { seq: 3 }), 12],
  [anEvent('tool.completed', aToolCompleted('c1'), { seq: 4 }), 13],
  [
    anEvent('model.responded', aModelResponded(2, { usage: usage(200, 20), costUsd: 0.5 }), {
      seq: 5,
    }),
    14,
  ],
  [
    anEvent(
      'run.completed',
      { outcome: 'success', reason: 'completed', message: 'ok', output: 'Shipped.' },
      { seq: 6 },
    ),
    15,
  ],
];

describe('run summary projection', () => {
  it('summarises a completed run: agent, counters, outcome, duration', () => {
    const s = project(log);
    expect(s).toMatchObject({
      agent: 'test-agent',
      status: 'completed',
      outcome: 'success',
      reason: 'completed',
      output: 'Shipped.',
      steps: 2,
      toolCalls: 1,
      inputTokens: 300,
      outputTokens: 30,
      costUsd: 0.75,
      eventCount: 6,
      lastSeq: 15,
      statusSeq: 15,
    });
    expect(s.durationMs).toBe(Date.parse(log[5][0].time) - Date.parse(log[0][0].time));
  });

  it('gives the same row whatever order the events arrive in', () => {
    const inOrder = project(log);
    const shuffled = project([log[3], log[0], log[5], log[1], log[4], log[2]]);
    expect(shuffled).toEqual(inOrder);
  });

  it('never lets a late, older event overwrite the status', () => {
    const s = project([log[0], log[5], log[2]]);
    expect(s.status).toBe('completed');
  });

  it('keeps a finished run finished when a tool outcome is recorded after it', () => {
    const cancelled = anEvent(
      'run.cancelled',
      { outcome: 'aborted', reason: 'cancelled', message: 'stopped', requestedBy: 'ops' },
      { seq: 4 },
    );
    const s = project([
      log[0],
      log[2],
      [cancelled, 13],
      [anEvent('tool.completed', aToolCompleted('c1'), { seq: 5 }), 14],
    ]);
    expect(s.status).toBe('cancelled');
    expect(s.eventCount).toBe(4);
  });

  it('shows an irreversible call as waiting for approval, a read-only one as waiting for a tool', () => {
    expect(
      project([
        log[0],
        [
          anEvent('tool.requested', aToolRequested('c9', { tier: 2, tool: 'issue_refund' }), {
            seq: 2,
          }),
          11,
        ],
      ]).status,
    ).toBe('waiting_for_approval');
    expect(project([log[0], log[2]]).status).toBe('waiting_for_tool');
  });

  it('projects a rejected run that never started', () => {
    const rejected = anEvent(
      'run.rejected',
      { outcome: 'failed', reason: 'unknown_agent', message: 'no such agent', agent: 'ghost' },
      { seq: 1 },
    );
    expect(project([[rejected, 3]])).toMatchObject({
      status: 'rejected',
      reason: 'unknown_agent',
      agent: 'ghost',
      createdAt: rejected.time,
      startedAt: null,
      durationMs: null,
    });
  });

  it('dates a run by its earliest event, whatever order the events arrive in', () => {
    expect(project(log).createdAt).toBe(log[0][0].time);
    expect(project([log[4], log[2], log[0], log[5]]).createdAt).toBe(log[0][0].time);
    expect(project([log[5], log[3]]).createdAt).toBe(log[3][0].time);
  });

  it('sums dollars without floating-point drift', () => {
    const many = Array.from(
      { length: 10 },
      (_, i) =>
        [
          anEvent('model.responded', aModelResponded(i + 1, { costUsd: 0.1 }), { seq: i + 2 }),
          i + 20,
        ] as [TetherEvent, number],
    );
    expect(project([log[0], ...many]).costUsd).toBe(1);
  });

  describe('summariesOf (a batch)', () => {
    const other = (e: TetherEvent): TetherEvent => ({ ...e, runId: 'run_0other' });
    const stored = log.map(([event, seq]) => ({ seq, event }));

    it('gives one summary per run, each folded in log order whatever order the batch came in', () => {
      const batch = [stored[3], stored[5], { seq: 30, event: other(log[0][0]) }, stored[0]];
      const [first, second] = summariesOf(batch);
      expect(first).toEqual(project([log[0], log[3], log[5]]));
      expect(second).toEqual(
        project([[other(log[0][0]), 30]], emptySummary(TEST_TENANT_ID, 'run_0other')),
      );
    });

    it('orders the runs by tenant and run id, the order their rows are locked in', () => {
      const runs = ['run_b', 'run_a', 'run_c'].flatMap((runId, i) => [
        { seq: 10 + i, event: { ...log[0][0], runId } },
        { seq: 20 + i, event: { ...log[0][0], runId, tenantId: 'a-first' } },
      ]);
      expect(summariesOf(runs).map((r) => `${r.tenantId}/${r.runId}`)).toEqual([
        'a-first/run_a',
        'a-first/run_b',
        'a-first/run_c',
        `${TEST_TENANT_ID}/run_a`,
        `${TEST_TENANT_ID}/run_b`,
        `${TEST_TENANT_ID}/run_c`,
      ]);
    });
  });
});

import { aRunLog, TEST_RUN_ID, detailedRun } from '@tether/testing';
import type { TetherEvent } from '@tether/contracts';
import { foldRows, keyOf, mergeRows, type Row, type TableSpec } from '../src/domain/mergeable-row';
import {
  APPROVALS,
  DETAIL_TABLES,
  GUARDRAIL_TRIGGERS,
  MODEL_CALLS,
  STEPS,
  TOOL_CALLS,
  detailRowsOf,
} from '../src/domain/run-details.projection';

const log: TetherEvent[] = aRunLog(detailedRun(TEST_RUN_ID));

/** Folds the events' partial rows in the given order: table → rows sorted by key. */
function project(order: number[]): Map<string, Row[]> {
  const rows = order.flatMap((i) => detailRowsOf(log[i], i + 1));
  return new Map(
    DETAIL_TABLES.map((spec) => [
      spec.table,
      foldRows(
        spec,
        rows.filter((r) => r.spec === spec).map((r) => r.row),
      ).sort((a, b) => keyOf(spec, a).localeCompare(keyOf(spec, b))),
    ]),
  );
}

function rowsOf(spec: TableSpec, projected = project(log.map((_, i) => i))): Row[] {
  return projected.get(spec.table)!;
}

/** A deterministic shuffle (xorshift), so a failure names the seed that shows it. */
function shuffled(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = Math.abs(x) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('run details projection', () => {
  it('records each model turn with its attempts, failures, usage and answer', () => {
    const steps = rowsOf(STEPS);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(steps[0]).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      attempts: 2,
      failures: 1,
      started_at: log[1].time,
      ended_at: log[4].time,
      finish_reason: 'tool_calls',
      tool_calls: 2,
      input_tokens: 120,
      output_tokens: 30,
      cost_usd: 0.0125,
      latency_ms: 812,
    });
    expect(steps[2]).toMatchObject({ attempts: 1, failures: 0, text: 'Refunded.', tool_calls: 0 });
  });

  it('records every model call attempt, the failed one with its error', () => {
    const calls = rowsOf(MODEL_CALLS);
    expect(calls.map((c) => [c.step, c.attempt, c.status])).toEqual([
      [1, 1, 'failed'],
      [1, 2, 'responded'],
      [2, 1, 'responded'],
      [3, 1, 'responded'],
    ]);
    expect(calls[0]).toMatchObject({
      provider: 'openai',
      requested_model: 'gpt-4o-2024-08-06',
      error: 'HTTP 429',
      retryable: true,
      ended_at: log[2].time,
    });
    expect(calls[1]).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      cached_input_tokens: 20,
      reasoning_tokens: 5,
      finish_reason: 'tool_calls',
      requested_at: log[3].time,
    });
  });

  it('records tool calls from request to outcome, denials with the rule that fired', () => {
    const calls = rowsOf(TOOL_CALLS);
    expect(calls.map((c) => [c.call_id, c.tool, c.status])).toEqual([
      ['call_1_0', 'lookup_order', 'completed'],
      ['call_1_1', 'delete_order', 'denied'],
      ['call_2_0', 'issue_refund', 'completed'],
    ]);
    expect(calls[0]).toMatchObject({
      tier: 0,
      step: 1,
      args: { orderId: '7' },
      result: { status: 'shipped', email: '[redacted:email]' },
      latency_ms: 14,
      attempts: 1,
      dry_run: false,
      guardrail: 'flag',
      reason: null,
    });
    expect(calls[1]).toMatchObject({
      // tool.denied names no step: the model's proposal does.
      step: 1,
      args: { orderId: '7' },
      reason: 'permission_denied',
      error: 'not allowed',
      denied_by: 'permissions[1]: * × delete_* × * → deny',
    });
    expect(calls[2]).toMatchObject({
      tier: 2,
      permission: 'ask',
      rule: 'permissions[0]: user × issue_refund × * → ask',
      cost_usd: 0.01,
    });
  });

  it('shows a call the model proposed but the run never requested as proposed', () => {
    const untilProposal = log.slice(0, 5);
    const rows = untilProposal.flatMap((e, i) => detailRowsOf(e, i + 1));
    const calls = foldRows(
      TOOL_CALLS,
      rows.filter((r) => r.spec === TOOL_CALLS).map((r) => r.row),
    );
    expect(calls.map((c) => [c.call_id, c.tool, c.status, c.step])).toEqual([
      ['call_1_0', 'lookup_order', 'proposed', 1],
      ['call_1_1', 'delete_order', 'proposed', 1],
    ]);
  });

  it('records approvals with who decided and when, and each guardrail trigger', () => {
    expect(rowsOf(APPROVALS)).toEqual([
      expect.objectContaining({
        approval_id: 'apr_1',
        call_id: 'call_2_0',
        status: 'granted',
        approver_id: 'ops1',
        reason: 'checked',
        requested_at: log[13].time,
        decided_at: log[14].time,
        risk: 'high',
        quorum: 1,
        edited: false,
      }),
    ]);
    expect(rowsOf(GUARDRAIL_TRIGGERS)).toEqual([
      expect.objectContaining({
        seq: 9,
        rule_id: 'injection.ignore_previous',
        stage: 'tool_result',
        action: 'flag',
        call_id: 'call_1_0',
      }),
    ]);
  });

  it('gives the same rows whatever order the events are projected in', () => {
    const inOrder = project(log.map((_, i) => i));
    expect(project(log.map((_, i) => log.length - 1 - i))).toEqual(inOrder);
    for (let seed = 1; seed <= 200; seed++)
      expect([seed, project(shuffled(log.length, seed))]).toEqual([seed, inOrder]);
  });

  it('lets a retried tool call end with its last outcome, not the first', () => {
    const call = (type: string, data: object, seq: number) =>
      detailRowsOf({ ...log[0], type, data } as TetherEvent, seq)[0].row;
    const base = { callId: 'c', tool: 't' };
    const failed = call(
      'tool.failed',
      { ...base, reason: 'unknown_outcome', error: 'lost', retryable: true },
      5,
    );
    const started = call(
      'tool.started',
      { ...base, attempt: 2, idempotencyKey: 'k', deadline: 'x', dryRun: false },
      6,
    );
    const done = call(
      'tool.completed',
      { ...base, result: 1, latencyMs: 3, dryRun: false, attempts: 2 },
      7,
    );
    for (const order of [
      [failed, started, done],
      [done, failed, started],
      [started, done, failed],
    ]) {
      const row = order.reduce((a, b) => mergeRows(TOOL_CALLS, a, b));
      expect(row).toMatchObject({
        status: 'completed',
        reason: null,
        error: null,
        attempts: 2,
      });
    }
  });

  it('keeps unknown columns unknown and counts what is absent as zero', () => {
    const spec: TableSpec = {
      table: 't',
      columns: {
        id: { type: 'text', merge: 'key' },
        first: { type: 'timestamptz', merge: 'min' },
        n: { type: 'int', merge: 'sum' },
        v: { type: 'text', merge: 'set' },
      },
    };
    expect(
      mergeRows(spec, { id: 'a', first: '2026-01-02T00:00:00Z' }, { id: 'a', v: 'x' }),
    ).toEqual({
      id: 'a',
      first: '2026-01-02T00:00:00Z',
      n: 0,
      v: 'x',
    });
    expect(
      mergeRows(
        spec,
        { id: 'a', first: '2026-01-02T00:00:00Z', n: 2 },
        { id: 'a', first: '2026-01-01T00:00:00Z', n: 3 },
      ),
    ).toMatchObject({ first: '2026-01-01T00:00:00Z', n: 5 });
  });

  it('ignores events that have nothing to add', () => {
    expect(detailRowsOf(log[0], 1)).toEqual([]);
    expect(detailRowsOf(log[log.length - 1], log.length)).toEqual([]);
  });
});

import type { EntityManager } from 'typeorm';
import { TERMINAL_RUN_STATUSES } from '@tether/contracts';
import type { RunLabels } from '../../domain/run-metrics';
import type { RunSummary } from '../../domain/run-summary.projection';

/**
 * `trace_runs`, the run summaries. A batch's partial summaries (`summariesOf`) are merged into
 * the stored rows by one upsert, with the rules `summariesOf` describes: nothing is read first,
 * so there is no query plan to go wrong as a tenant's runs grow, and instances projecting at
 * once cannot lose each other's counts (each row is locked by its conflict, in key order).
 */

const RUN_COLUMNS = [
  'tenant_id',
  'run_id',
  'agent',
  'release',
  'user_id',
  'mode',
  'status',
  'outcome',
  'reason',
  'message',
  'output',
  'steps',
  'tool_calls',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'created_at',
  'started_at',
  'ended_at',
  'duration_ms',
  'last_seq',
  'status_seq',
  'event_count',
] as const;

function rowOf(s: RunSummary): unknown[] {
  return [
    s.tenantId,
    s.runId,
    s.agent,
    s.release,
    s.userId,
    s.mode,
    s.status,
    s.outcome,
    s.reason,
    s.message,
    s.output,
    s.steps,
    s.toolCalls,
    s.inputTokens,
    s.outputTokens,
    s.costUsd,
    s.createdAt,
    s.startedAt,
    s.endedAt,
    s.durationMs,
    s.lastSeq,
    s.statusSeq,
    s.eventCount,
  ];
}

function placeholders(rows: number, cols: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(',')})`,
  ).join(',');
}

const TERMINAL = `(${TERMINAL_RUN_STATUSES.map((t) => `'${t}'`).join(', ')})`;
/** The partial row's status outranks the stored one: an end beats anything, then the later event. */
const NEWER_STATUS = `(EXCLUDED.status IN ${TERMINAL}, EXCLUDED.status_seq) > (t.status IN ${TERMINAL}, t.status_seq)`;
/** The partial row holds the run's end, and a later one than any stored. */
const NEWER_END = `EXCLUDED.ended_at IS NOT NULL AND (t.ended_at IS NULL OR EXCLUDED.status_seq > t.status_seq)`;
const ENDED = `CASE WHEN ${NEWER_END} THEN EXCLUDED.ended_at ELSE t.ended_at END`;
const STARTED = `COALESCE(EXCLUDED.started_at, t.started_at)`;

/** How each column of a stored summary takes in a partial one: every column but the key, checked. */
const MERGE: Record<Exclude<(typeof RUN_COLUMNS)[number], 'tenant_id' | 'run_id'>, string> = {
  agent: 'COALESCE(EXCLUDED.agent, t.agent)',
  release: 'COALESCE(EXCLUDED.release, t.release)',
  user_id: 'COALESCE(EXCLUDED.user_id, t.user_id)',
  mode: 'COALESCE(EXCLUDED.mode, t.mode)',
  status: `CASE WHEN ${NEWER_STATUS} THEN EXCLUDED.status ELSE t.status END`,
  status_seq: `CASE WHEN ${NEWER_STATUS} THEN EXCLUDED.status_seq ELSE t.status_seq END`,
  outcome: `CASE WHEN ${NEWER_END} THEN EXCLUDED.outcome ELSE t.outcome END`,
  reason: `CASE WHEN ${NEWER_END} THEN EXCLUDED.reason ELSE t.reason END`,
  message: `CASE WHEN ${NEWER_END} THEN EXCLUDED.message ELSE t.message END`,
  output: `CASE WHEN ${NEWER_END} THEN EXCLUDED.output ELSE t.output END`,
  ended_at: ENDED,
  started_at: STARTED,
  duration_ms: `(EXTRACT(EPOCH FROM (${ENDED}) - (${STARTED})) * 1000)::int`,
  created_at: 'LEAST(t.created_at, EXCLUDED.created_at)',
  last_seq: 'GREATEST(t.last_seq, EXCLUDED.last_seq)',
  steps: 't.steps + EXCLUDED.steps',
  tool_calls: 't.tool_calls + EXCLUDED.tool_calls',
  input_tokens: 't.input_tokens + EXCLUDED.input_tokens',
  output_tokens: 't.output_tokens + EXCLUDED.output_tokens',
  cost_usd: 't.cost_usd + EXCLUDED.cost_usd',
  event_count: 't.event_count + EXCLUDED.event_count',
};
const UPDATES = Object.entries(MERGE)
  .map(([column, merged]) => `${column} = ${merged}`)
  .join(', ');

/**
 * Merges a batch's partial summaries (in key order, as `summariesOf` gives them) into the stored
 * ones; returns what the run metrics label each run with, as merged.
 */
export async function mergeRunSummaries(
  tx: EntityManager,
  partials: readonly RunSummary[],
): Promise<Map<string, RunLabels>> {
  if (partials.length === 0) return new Map();
  const merged: {
    tenant_id: string;
    run_id: string;
    agent: string | null;
    release: string | null;
    steps: number;
  }[] = await tx.query(
    `INSERT INTO trace_runs AS t (${RUN_COLUMNS.join(',')}) VALUES ${placeholders(partials.length, RUN_COLUMNS.length)}
       ON CONFLICT (tenant_id, run_id) DO UPDATE SET ${UPDATES}
       RETURNING tenant_id, run_id, agent, release, steps`,
    partials.flatMap(rowOf),
  );
  return new Map(
    merged.map((r) => [
      `${r.tenant_id}\u0000${r.run_id}`,
      { agent: r.agent, release: r.release, steps: Number(r.steps) },
    ]),
  );
}

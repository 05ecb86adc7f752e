import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { StoredEvent } from '@tether/contracts';
import { upsertRows } from '../adapters/persistence/detail-rows.upsert';
import { DETAIL_TABLES, detailRowsOf } from '../domain/run-details.projection';
import { metricSamplesOf, type MetricSample } from '../domain/run-metrics';
import { applyToSummary, emptySummary, type RunSummary } from '../domain/run-summary.projection';
import { RunMetrics } from './run-metrics';

export const CHECKPOINT = 'trace';

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

function summaryOf(r: Record<string, unknown>): RunSummary {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    tenantId: r.tenant_id as string,
    runId: r.run_id as string,
    agent: r.agent as string | null,
    release: r.release as string | null,
    userId: r.user_id as string | null,
    mode: r.mode as string | null,
    status: r.status as string,
    outcome: r.outcome as string | null,
    reason: r.reason as string | null,
    message: r.message as string | null,
    output: r.output as string | null,
    steps: Number(r.steps),
    toolCalls: Number(r.tool_calls),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: Number(r.cost_usd),
    createdAt: iso(r.created_at),
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    lastSeq: Number(r.last_seq),
    statusSeq: Number(r.status_seq),
    eventCount: Number(r.event_count),
  };
}

function placeholders(rows: number, cols: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(',')})`,
  ).join(',');
}

/**
 * Projects a batch of events in one transaction: event rows keyed by stream sequence (a replayed
 * event inserts nothing), run summaries updated only by newly inserted events, and the checkpoint
 * advanced — all committed together, so nothing is ever counted twice. The run metrics count the
 * same newly inserted events, once the transaction has committed.
 */
@Injectable()
export class ProjectEventsHandler {
  /**
   * The checkpoint the last rebuild truncated: replayed events up to it were counted in the
   * metrics when first projected, so this instance does not count them again.
   */
  private countedThrough = 0;

  /** The checkpoint the last rebuild truncated (0 if none): what a replay has seen before. */
  get replayedThrough(): number {
    return this.countedThrough;
  }

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: RunMetrics,
  ) {}

  async handle(batch: StoredEvent[]): Promise<number> {
    if (batch.length === 0) return 0;
    const samples: MetricSample[] = [];
    const fresh = await this.db.transaction(async (tx) => {
      // The log is the truth and this projection can be rebuilt from it: a commit need not wait
      // for its WAL flush. A crash loses at most the last moments of rows *and* their
      // checkpoint together, and the consumer redelivers them.
      await tx.query('SET LOCAL synchronous_commit = off');
      const fresh = await this.insertEvents(tx, batch);
      if (fresh.length) {
        await this.updateRuns(tx, fresh, samples);
        await this.updateDetails(tx, fresh);
      }
      const maxSeq = Math.max(...batch.map((b) => b.seq));
      await tx.query(
        `INSERT INTO projection_checkpoints (name, seq) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET seq = GREATEST(projection_checkpoints.seq, EXCLUDED.seq)`,
        [CHECKPOINT, maxSeq],
      );
      return fresh.length;
    });
    // Only after the commit: a batch that rolls back is redelivered and counted then.
    this.metrics.record(samples);
    return fresh;
  }

  private async insertEvents(tx: EntityManager, batch: StoredEvent[]): Promise<StoredEvent[]> {
    // The whole batch is one JSON parameter that Postgres unpacks: no per-row encoding on our
    // side, and the statement does not grow with the batch.
    const rows = JSON.stringify(batch.map(({ seq, event }) => ({ seq, ...event })));
    const inserted: { seq: string }[] = await tx.query(
      `INSERT INTO trace_events (seq, event_id, tenant_id, run_id, type, time, source, causation_id, traceparent, data)
       SELECT seq, id, "tenantId", "runId", type, time, source, "causationId", traceparent, data
       FROM json_to_recordset($1::json) AS x(seq bigint, id text, "tenantId" text, "runId" text, type text,
         time timestamptz, source text, "causationId" text, traceparent text, data json)
       ON CONFLICT DO NOTHING RETURNING seq`,
      [rows],
    );
    const fresh = new Set(inserted.map((r) => Number(r.seq)));
    return batch.filter((b) => fresh.has(b.seq));
  }

  private async updateRuns(
    tx: EntityManager,
    fresh: StoredEvent[],
    samples: MetricSample[],
  ): Promise<void> {
    const keys = [...new Set(fresh.map((f) => `${f.event.tenantId}\u0000${f.event.runId}`))].map(
      (k) => k.split('\u0000'),
    );
    // A join on the key arrays is one primary-key probe per run, whatever the statistics say. A
    // row-IN list was planned, whenever the table's statistics lagged behind its growth (a new
    // or busy tenant), as a filtered scan of the tenant's every run.
    const existing: Record<string, unknown>[] = await tx.query(
      `SELECT r.* FROM unnest($1::text[], $2::text[]) AS k(tenant_id, run_id)
       JOIN trace_runs r USING (tenant_id, run_id) FOR UPDATE OF r`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    const runs = new Map(existing.map((r) => [`${r.tenant_id}\u0000${r.run_id}`, summaryOf(r)]));
    for (const { seq, event } of [...fresh].sort((a, b) => a.seq - b.seq)) {
      const key = `${event.tenantId}\u0000${event.runId}`;
      const run = applyToSummary(
        runs.get(key) ?? emptySummary(event.tenantId, event.runId),
        event,
        seq,
      );
      runs.set(key, run);
      if (seq > this.countedThrough) samples.push(...metricSamplesOf(event, run));
    }
    const rows = [...runs.values()];
    const updates = RUN_COLUMNS.filter((c) => c !== 'tenant_id' && c !== 'run_id').map(
      (c) => `${c} = EXCLUDED.${c}`,
    );
    await tx.query(
      `INSERT INTO trace_runs (${RUN_COLUMNS.join(',')}) VALUES ${placeholders(rows.length, RUN_COLUMNS.length)}
       ON CONFLICT (tenant_id, run_id) DO UPDATE SET ${updates.join(', ')}`,
      rows.flatMap(rowOf),
    );
  }

  private async updateDetails(tx: EntityManager, fresh: StoredEvent[]): Promise<void> {
    const rows = fresh.flatMap(({ seq, event }) => detailRowsOf(event, seq));
    for (const spec of DETAIL_TABLES) {
      await upsertRows(
        tx,
        spec,
        rows.filter((r) => r.spec === spec).map((r) => r.row),
      );
    }
  }

  async checkpoint(): Promise<number> {
    const rows: { seq: string }[] = await this.db.query(
      `SELECT seq FROM projection_checkpoints WHERE name = $1`,
      [CHECKPOINT],
    );
    return rows.length ? Number(rows[0].seq) : 0;
  }

  /**
   * Drops every projected row; the caller replays the log from the start. The metrics keep
   * their values and skip the replayed events up to the old checkpoint (see `countedThrough`).
   */
  async truncate(): Promise<void> {
    this.countedThrough = Math.max(this.countedThrough, await this.checkpoint());
    await this.db.query(
      `TRUNCATE trace_events, trace_runs, ${DETAIL_TABLES.map((t) => t.table).join(', ')}, projection_checkpoints`,
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { StoredEvent } from '@tether/contracts';
import { upsertRows } from '../adapters/persistence/detail-rows.upsert';
import { mergeRunSummaries } from '../adapters/persistence/run-summaries.sql';
import { DETAIL_TABLES, detailRowsOf } from '../domain/run-details.projection';
import { metricSamplesOf, type MetricSample } from '../domain/run-metrics';
import { summariesOf } from '../domain/run-summary.projection';
import { RunMetrics } from './run-metrics';

export const CHECKPOINT = 'trace';

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
    const runs = await mergeRunSummaries(tx, summariesOf(fresh));
    for (const { seq, event } of fresh) {
      const run = runs.get(`${event.tenantId}\u0000${event.runId}`);
      if (run && seq > this.countedThrough) samples.push(...metricSamplesOf(event, run));
    }
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

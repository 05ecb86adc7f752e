import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  groupKey,
  type AlertGroup,
  type LatencyStats,
  type RunEndCounts,
  type ToolCallCounts,
} from '../../domain/alert.evaluation';

/** A period of the projection: [start, end). */
export interface Period {
  start: Date;
  end: Date;
}

export type Measured<T> = { group: AlertGroup } & T;

/**
 * `$3` true: one group per release; false: one per agent. Runs without an agent (rejected before
 * they started) belong to nobody an alert could name.
 */
const GROUP = (r: string) =>
  `${r}.tenant_id AS "tenantId", ${r}.agent, CASE WHEN $3::boolean THEN ${r}.release END AS release`;

/** Model attempts that ended in the period with how long they took (a failure: until it failed). */
const MODEL_CALL_MS = `
  SELECT tenant_id, run_id,
    CASE WHEN status = 'responded' THEN latency_ms
         ELSE extract(epoch FROM ended_at - requested_at) * 1000 END AS ms
  FROM trace_model_calls
  WHERE ended_at >= $1 AND ended_at < $2 AND status IN ('responded', 'failed')`;

/** Priced model and tool calls that ended in the period. */
const PRICED_CALLS = `
  SELECT tenant_id, run_id, cost_usd FROM trace_model_calls
  WHERE ended_at >= $1 AND ended_at < $2 AND status = 'responded' AND cost_usd > 0
  UNION ALL
  SELECT tenant_id, run_id, cost_usd FROM trace_tool_calls
  WHERE ended_at >= $1 AND ended_at < $2 AND status = 'completed' AND cost_usd > 0`;

const JOIN_RUN = (alias: string) =>
  `JOIN trace_runs r ON r.tenant_id = ${alias}.tenant_id AND r.run_id = ${alias}.run_id`;

type GroupRow = { tenantId: string; agent: string; release: string | null };

const groupOf = (row: GroupRow): AlertGroup => ({
  tenantId: row.tenantId,
  agent: row.agent,
  release: row.release,
});

/**
 * The aggregates alert rules compare with their thresholds, over every tenant at once. Each
 * reads a range of `ended_at` (indexed on every table it reads), so its cost follows the calls
 * and runs of the window, not the size of the tables.
 */
@Injectable()
export class AlertMeasures {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async toolCalls(p: Period, byRelease: boolean): Promise<Measured<ToolCallCounts>[]> {
    return this.grouped(
      `SELECT ${GROUP('r')},
         count(*) FILTER (WHERE t.status = 'failed') AS failed, count(*) AS finished
       FROM trace_tool_calls t ${JOIN_RUN('t')}
       WHERE t.ended_at >= $1 AND t.ended_at < $2 AND t.status IN ('completed', 'failed')
         AND r.agent IS NOT NULL
       GROUP BY 1, 2, 3`,
      p,
      byRelease,
      ['failed', 'finished'],
    );
  }

  async runEnds(p: Period, byRelease: boolean): Promise<Measured<RunEndCounts>[]> {
    const rows: Array<GroupRow & { aborted: string | null; n: string }> = await this.db.query(
      `SELECT ${GROUP('r')},
         CASE WHEN r.status = 'aborted' THEN coalesce(r.reason, 'unknown') END AS aborted,
         count(*) AS n
       FROM trace_runs r
       WHERE r.ended_at >= $1 AND r.ended_at < $2 AND r.status <> 'rejected' AND r.agent IS NOT NULL
       GROUP BY 1, 2, 3, 4`,
      [p.start, p.end, byRelease],
    );
    const byGroup = new Map<
      string,
      Measured<{ ended: number; abortedByReason: Record<string, number> }>
    >();
    for (const row of rows) {
      const group = groupOf(row);
      let counts = byGroup.get(groupKey(group));
      if (!counts)
        byGroup.set(groupKey(group), (counts = { group, ended: 0, abortedByReason: {} }));
      counts.ended += Number(row.n);
      if (row.aborted !== null) counts.abortedByReason[row.aborted] = Number(row.n);
    }
    return [...byGroup.values()];
  }

  async modelLatency(p: Period, byRelease: boolean): Promise<Measured<LatencyStats>[]> {
    return this.grouped(
      `SELECT ${GROUP('r')}, count(*) AS count,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY m.ms) AS "p99Ms"
       FROM (${MODEL_CALL_MS}) m ${JOIN_RUN('m')}
       WHERE m.ms IS NOT NULL AND r.agent IS NOT NULL
       GROUP BY 1, 2, 3`,
      p,
      byRelease,
      ['count', 'p99Ms'],
    );
  }

  async runDuration(p: Period, byRelease: boolean): Promise<Measured<LatencyStats>[]> {
    return this.grouped(
      `SELECT ${GROUP('r')}, count(*) AS count,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY r.duration_ms) AS "p99Ms"
       FROM trace_runs r
       WHERE r.ended_at >= $1 AND r.ended_at < $2 AND r.duration_ms IS NOT NULL
         AND r.agent IS NOT NULL
       GROUP BY 1, 2, 3`,
      p,
      byRelease,
      ['count', 'p99Ms'],
    );
  }

  /** Dollars of the priced calls that ended in the period, per group that spent any. */
  async spend(p: Period, byRelease: boolean): Promise<Measured<{ usd: number; calls: number }>[]> {
    return this.grouped(
      `SELECT ${GROUP('r')}, sum(s.cost_usd) AS usd, count(*) AS calls
       FROM (${PRICED_CALLS}) s ${JOIN_RUN('s')}
       WHERE r.agent IS NOT NULL
       GROUP BY 1, 2, 3`,
      p,
      byRelease,
      ['usd', 'calls'],
    );
  }

  /** Rows of a grouped aggregate, its `fields` read as numbers (Postgres sends counts and sums as text). */
  private async grouped<K extends string>(
    sql: string,
    p: Period,
    byRelease: boolean,
    fields: readonly K[],
  ): Promise<Measured<Record<K, number>>[]> {
    const rows: Array<GroupRow & Record<K, unknown>> = await this.db.query(sql, [
      p.start,
      p.end,
      byRelease,
    ]);
    return rows.map((row) => ({
      group: groupOf(row),
      ...(Object.fromEntries(fields.map((f) => [f, Number(row[f])])) as Record<K, number>),
    }));
  }
}

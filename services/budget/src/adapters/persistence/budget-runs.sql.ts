import type { RunOwner } from '../../domain/ledger.ops';
import type { Sql } from './budget.db';

/** Remembers who each run acts for (from `run.started`); a replay writes the same values. */
export async function upsertRuns(sql: Sql, runs: readonly RunOwner[]): Promise<void> {
  if (runs.length === 0) return;
  await sql(
    `INSERT INTO budget_runs (tenant_id, run_id, user_id, agent, model, started_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
     ON CONFLICT (run_id) DO UPDATE SET user_id = EXCLUDED.user_id, agent = EXCLUDED.agent,
       model = EXCLUDED.model, started_at = EXCLUDED.started_at`,
    [
      runs.map((r) => r.tenantId),
      runs.map((r) => r.runId),
      runs.map((r) => r.userId),
      runs.map((r) => r.agent),
      runs.map((r) => r.model),
      runs.map((r) => r.startedAt),
    ],
  );
}

export async function runsById(
  sql: Sql,
  runIds: readonly string[],
): Promise<Map<string, RunOwner>> {
  if (runIds.length === 0) return new Map();
  const rows = await sql<Omit<RunOwner, 'startedAt'> & { startedAt: Date }>(
    `SELECT tenant_id AS "tenantId", run_id AS "runId", user_id AS "userId", agent, model,
       started_at AS "startedAt"
     FROM budget_runs WHERE run_id = ANY($1::text[])`,
    [[...new Set(runIds)]],
  );
  return new Map(rows.map((r) => [r.runId, { ...r, startedAt: r.startedAt.toISOString() }]));
}

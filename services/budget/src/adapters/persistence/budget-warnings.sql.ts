import type { WarningCandidate } from '../../domain/budget.decider';
import { counterKey } from '../../domain/budget.counters';
import type { Sql } from './budget.db';

/**
 * Claims the warnings not yet sent for their cap, scope and period; returns the claimed ones.
 * The primary key makes the claim atomic across requests and instances: one warning each.
 */
export async function claimWarnings(
  sql: Sql,
  candidates: readonly WarningCandidate[],
  runId: string,
  at: Date,
): Promise<WarningCandidate[]> {
  if (candidates.length === 0) return [];
  const rows = await sql<{ scope: string; period: string; cap: string }>(
    `INSERT INTO budget_warnings (scope, period, cap, run_id, sent_at)
     SELECT scope, period, cap, $4, $5 FROM unnest($1::text[], $2::text[], $3::text[]) AS w(scope, period, cap)
     ON CONFLICT (scope, period, cap) DO NOTHING RETURNING scope, period, cap`,
    [
      candidates.map((c) => c.scope),
      candidates.map((c) => c.period),
      candidates.map((c) => c.cap),
      runId,
      at,
    ],
  );
  const claimed = new Set(rows.map((r) => `${counterKey(r)}|${r.cap}`));
  return candidates.filter((c) => claimed.has(`${counterKey(c)}|${c.cap}`));
}

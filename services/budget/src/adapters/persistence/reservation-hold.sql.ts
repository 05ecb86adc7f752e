import type { WarningCandidate } from '../../domain/budget.decider';
import { counterKey, type CounterRef } from '../../domain/budget.counters';
import { nanosToDecimal } from '../../domain/usd';
import type { Sql } from './budget.db';

export interface Hold {
  reservationId: string;
  runId: string;
  /** The counters it holds on, locked by this transaction. */
  counters: readonly CounterRef[];
  amountNanos: bigint;
  warnings: readonly WarningCandidate[];
  at: Date;
}

/**
 * Puts a granted reservation's amount on its (locked) counters, records which ones, and claims
 * the warnings not yet sent for their cap, scope and period — one statement, so the counters stay
 * locked for as short a time as possible. Returns the claimed warnings: the primary key of
 * `budget_warnings` makes a claim atomic across requests and instances, one warning each.
 */
export async function recordHold(sql: Sql, h: Hold): Promise<WarningCandidate[]> {
  const rows = await sql<{ scope: string; period: string; cap: string }>(
    `WITH held AS (
       UPDATE budget_counters c SET held_usd = c.held_usd + $3::numeric
       FROM unnest($1::text[], $2::text[]) AS d(scope, period)
       WHERE c.scope = d.scope AND c.period = d.period RETURNING 1),
     marked AS (
       UPDATE budget_reservations SET held_scopes = $4 WHERE reservation_id = $5 RETURNING 1)
     INSERT INTO budget_warnings (scope, period, cap, run_id, sent_at)
     SELECT scope, period, cap, $9, $10 FROM unnest($6::text[], $7::text[], $8::text[]) AS w(scope, period, cap)
     ON CONFLICT (scope, period, cap) DO NOTHING RETURNING scope, period, cap`,
    [
      h.counters.map((c) => c.scope),
      h.counters.map((c) => c.period),
      nanosToDecimal(h.amountNanos),
      h.counters.map(counterKey),
      h.reservationId,
      h.warnings.map((c) => c.scope),
      h.warnings.map((c) => c.period),
      h.warnings.map((c) => c.cap),
      h.runId,
      h.at,
    ],
  );
  const claimed = new Set(rows.map((r) => `${counterKey(r)}|${r.cap}`));
  return h.warnings.filter((c) => claimed.has(`${counterKey(c)}|${c.cap}`));
}

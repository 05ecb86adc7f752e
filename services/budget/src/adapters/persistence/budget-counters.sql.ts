import { counterKey, type Counter, type CounterRef } from '../../domain/budget.counters';
import type { CounterDelta } from '../../domain/counter.deltas';
import { nanosToDecimal } from '../../domain/usd';
import type { Sql } from './budget.db';

/**
 * Counters: `spent` and `held` per scope and period, kept only for scopes with a cap. A counter
 * is created from the settled reservations of its scope under an exclusive advisory lock on its
 * key; settling takes the same lock shared on every key a reservation could count in. So a
 * settlement either lands before the counter is summed (and is in the sum) or after it exists
 * (and is added to it), never in between.
 */

const columns = (refs: readonly CounterRef[]) => [
  refs.map((r) => r.scope),
  refs.map((r) => r.period),
];

const IN_REFS = `(scope, period) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

/** Takes advisory locks on counter keys in one fixed order (sorted), so lockers never deadlock. */
export async function lockCounterKeys(
  sql: Sql,
  keys: Iterable<string>,
  mode: 'exclusive' | 'shared',
): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  // Volatile calls are made after the sort, in the array's order.
  await sql(
    `SELECT ${fn}(hashtextextended(k.key, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) ORDER BY k.n`,
    [sorted],
  );
}

/** Creates the counters missing among `counters`, each from the settled spend it covers. */
export async function ensureCounters(sql: Sql, counters: readonly Counter[]): Promise<void> {
  if (counters.length === 0) return;
  const existing = await sql<CounterRef>(
    `SELECT scope, period FROM budget_counters WHERE ${IN_REFS}`,
    columns(counters),
  );
  const have = new Set(existing.map(counterKey));
  const missing = counters.filter((c) => !have.has(counterKey(c)));
  if (missing.length === 0) return;
  await lockCounterKeys(sql, missing.map(counterKey), 'exclusive');
  for (const c of missing) {
    const f = c.filter;
    await sql(
      `INSERT INTO budget_counters (scope, period, spent_usd, held_usd)
       SELECT $1, $2, coalesce(sum(settled_usd), 0), 0 FROM budget_reservations
       WHERE status = 'settled'
         AND ($3::text IS NULL OR tenant_id = $3) AND ($4::text IS NULL OR user_id = $4)
         AND ($5::text IS NULL OR run_id = $5)
         AND ($6::date IS NULL OR day >= $6) AND ($7::date IS NULL OR day < $7)
       ON CONFLICT (scope, period) DO NOTHING`,
      [
        c.scope,
        c.period,
        f.tenantId ?? null,
        f.userId ?? null,
        f.runId ?? null,
        f.fromDay ?? null,
        f.beforeDay ?? null,
      ],
    );
  }
}

/** Locks counters for update in one fixed order (scope, period); their current totals by key. */
export async function lockCounters(
  sql: Sql,
  refs: readonly CounterRef[],
): Promise<Map<string, { spentUsd: number; heldUsd: number }>> {
  const rows = await sql<{ scope: string; period: string; spent: string; held: string }>(
    `SELECT scope, period, spent_usd AS spent, held_usd AS held FROM budget_counters
     WHERE ${IN_REFS} ORDER BY scope, period FOR UPDATE`,
    columns(refs),
  );
  return new Map(
    rows.map((r) => [counterKey(r), { spentUsd: Number(r.spent), heldUsd: Number(r.held) }]),
  );
}

/** Adds deltas to the counters that exist (the others have no cap to count for), locking them first. */
export async function applyCounterDeltas(sql: Sql, deltas: readonly CounterDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await lockCounters(sql, deltas);
  await addToLockedCounters(sql, deltas);
}

/** `applyCounterDeltas` for counters this transaction already holds locked. */
export async function addToLockedCounters(
  sql: Sql,
  deltas: readonly CounterDelta[],
): Promise<void> {
  if (deltas.length === 0) return;
  await sql(
    `UPDATE budget_counters c
     SET spent_usd = c.spent_usd + d.spent, held_usd = GREATEST(c.held_usd + d.held, 0)
     FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[]) AS d(scope, period, spent, held)
     WHERE c.scope = d.scope AND c.period = d.period`,
    [
      ...columns(deltas),
      deltas.map((d) => nanosToDecimal(d.spent)),
      deltas.map((d) => nanosToDecimal(d.held)),
    ],
  );
}

import type { Client } from 'pg';
import type { TetherEvent } from '@tether/contracts';

/** Dollars a run's log says were spent: its model answers, priced tool calls and classifier. */
export function costOf(events: readonly TetherEvent[]): number {
  let usd = 0;
  for (const e of events) {
    if (e.type === 'run.started') usd += e.data.classifier?.costUsd ?? 0;
    if (e.type === 'model.responded') usd += e.data.costUsd;
    if (e.type === 'tool.completed') usd += e.data.costUsd ?? 0;
  }
  return usd;
}

/** The ids of a run's granted holds, in log order (a retried reservation must not add one). */
export function reservationIdsOf(events: readonly TetherEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'budget.reserved' ? [e.data.reservationId] : []));
}

/** What the budget ledger has settled, and how many holds are still open (of some runs, or all). */
export async function ledgerOf(
  db: Client,
  runIds?: readonly string[],
): Promise<{ settledUsd: number; held: number }> {
  const { rows } = await db.query<{ settled: string; held: string }>(
    `SELECT coalesce(sum(settled_usd), 0) AS settled,
            count(*) FILTER (WHERE status = 'held') AS held
       FROM budget_reservations WHERE $1::text[] IS NULL OR run_id = ANY($1)`,
    [runIds ?? null],
  );
  return { settledUsd: Number(rows[0]!.settled), held: Number(rows[0]!.held) };
}

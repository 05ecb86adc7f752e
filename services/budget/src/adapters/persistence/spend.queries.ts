import type { SpendGroup, SpendReport, SpendRow } from '@tether/contracts';
import { roundUsd } from '../../domain/usd';
import type { Sql } from './budget.db';

export interface SpendFilter {
  tenantId: string;
  by: SpendGroup;
  from: string;
  to: string;
  userId?: string;
  agent?: string;
  model?: string;
}

const GROUP_KEY: Record<SpendGroup, string> = {
  tenant: 'tenant_id',
  user: 'user_id',
  agent: 'agent',
  model: 'item',
  day: `to_char(day, 'YYYY-MM-DD')`,
};

/** Settled spend of one tenant, grouped; what is held right now over the same rows. */
export async function spendReport(sql: Sql, f: SpendFilter): Promise<SpendReport> {
  const where = `tenant_id = $1 AND day BETWEEN $2::date AND $3::date
    AND ($4::text IS NULL OR user_id = $4) AND ($5::text IS NULL OR agent = $5)
    AND ($6::text IS NULL OR item = $6)`;
  const params = [f.tenantId, f.from, f.to, f.userId ?? null, f.agent ?? null, f.model ?? null];
  const order = f.by === 'day' ? 'key' : 'spent DESC, key';
  const rows = await sql<{ key: string; spent: string; calls: string }>(
    `SELECT ${GROUP_KEY[f.by]} AS key, sum(settled_usd) AS spent, count(*) AS calls
     FROM budget_reservations WHERE status = 'settled' AND ${where}
     GROUP BY 1 ORDER BY ${order}`,
    params,
  );
  const [held] = await sql<{ held: string }>(
    `SELECT coalesce(sum(amount_usd), 0) AS held FROM budget_reservations
     WHERE status = 'held' AND ${where}`,
    params,
  );
  const spend: SpendRow[] = rows.map((r) => ({
    key: r.key,
    spentUsd: roundUsd(Number(r.spent)),
    calls: Number(r.calls),
  }));
  return {
    tenantId: f.tenantId,
    by: f.by,
    from: f.from,
    to: f.to,
    totalUsd: roundUsd(spend.reduce((sum, r) => sum + r.spentUsd, 0)),
    heldUsd: roundUsd(Number(held.held)),
    rows: spend,
  };
}

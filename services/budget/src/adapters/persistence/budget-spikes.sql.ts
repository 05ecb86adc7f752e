import type { Sql } from './budget.db';

export interface TenantHours {
  tenantId: string;
  /** Settled in [windowStart, until]. */
  lastHourUsd: number;
  /** Settled in [since, windowStart). */
  trailingUsd: number;
}

/** Settled spend per tenant in the last hour and the trailing window before it (busy tenants only). */
export async function spendAroundHour(
  sql: Sql,
  since: Date,
  windowStart: Date,
  until: Date,
): Promise<TenantHours[]> {
  const rows = await sql<{ tenantId: string; last: string; trailing: string }>(
    `SELECT tenant_id AS "tenantId",
       coalesce(sum(settled_usd) FILTER (WHERE settled_at >= $2), 0) AS last,
       coalesce(sum(settled_usd) FILTER (WHERE settled_at < $2), 0) AS trailing
     FROM budget_reservations
     WHERE status = 'settled' AND settled_at >= $1 AND settled_at <= $3
     GROUP BY tenant_id HAVING sum(settled_usd) FILTER (WHERE settled_at >= $2) > 0`,
    [since, windowStart, until],
  );
  return rows.map((r) => ({
    tenantId: r.tenantId,
    lastHourUsd: Number(r.last),
    trailingUsd: Number(r.trailing),
  }));
}

/** Claims the one alert of a tenant's hour; false when it was already sent. */
export async function claimSpike(sql: Sql, tenantId: string, hour: Date, at: Date) {
  const rows = await sql(
    `INSERT INTO budget_spikes (tenant_id, hour, sent_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, hour) DO NOTHING RETURNING tenant_id`,
    [tenantId, hour, at],
  );
  return rows.length === 1;
}

import { GLOBAL_CAP_TENANT, type BudgetCap, type CapName } from '@tether/contracts';
import type { Sql } from './budget.db';

/** The caps in force for a tenant (and the global ones), in a stable order. */
export async function listCaps(sql: Sql, tenantId: string): Promise<BudgetCap[]> {
  const rows = await sql<Omit<BudgetCap, 'limitUsd' | 'updatedAt'> & { limit: string; at: Date }>(
    `SELECT tenant_id AS "tenantId", cap, subject, limit_usd AS limit, updated_at AS at,
       updated_by AS "updatedBy", reason
     FROM budget_caps WHERE tenant_id IN ($1, $2) ORDER BY tenant_id = $2, cap, subject`,
    [tenantId, GLOBAL_CAP_TENANT],
  );
  return rows.map(({ limit, at, ...r }) => ({
    ...r,
    limitUsd: Number(limit),
    updatedAt: at.toISOString(),
  }));
}

export interface CapKey {
  tenantId: string;
  cap: CapName;
  subject: string;
}

/** Serialises changes of one cap (for a true `previousUsd`); its limit now, null when none. */
export async function lockCap(sql: Sql, k: CapKey): Promise<number | null> {
  await sql(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `cap|${k.tenantId}|${k.cap}|${k.subject}`,
  ]);
  const [row] = await sql<{ limit: string }>(
    `SELECT limit_usd AS limit FROM budget_caps WHERE tenant_id = $1 AND cap = $2 AND subject = $3`,
    [k.tenantId, k.cap, k.subject],
  );
  return row ? Number(row.limit) : null;
}

export interface CapWrite extends CapKey {
  /** null removes the cap. */
  limitUsd: number | null;
  at: Date;
  by: string;
  reason: string;
}

export async function writeCap(sql: Sql, w: CapWrite): Promise<void> {
  if (w.limitUsd === null) {
    await sql(`DELETE FROM budget_caps WHERE tenant_id = $1 AND cap = $2 AND subject = $3`, [
      w.tenantId,
      w.cap,
      w.subject,
    ]);
    return;
  }
  await sql(
    `INSERT INTO budget_caps (tenant_id, cap, subject, limit_usd, updated_at, updated_by, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, cap, subject) DO UPDATE SET limit_usd = EXCLUDED.limit_usd,
       updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, reason = EXCLUDED.reason`,
    [w.tenantId, w.cap, w.subject, String(w.limitUsd), w.at, w.by, w.reason],
  );
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BudgetTables1763700000020 } from './1763700000020-budget-tables';

/**
 * Replaces the first sketch (an append-only ledger and one cap per scope, never written to)
 * with reservations, counters per cap scope and period, caps per tenant and subject, and the
 * bookkeeping of warnings, runs and spikes. Amounts are nano-dollar exact (`numeric(20,9)`).
 */
export class BudgetReservations1764300000020 implements MigrationInterface {
  name = 'BudgetReservations1764300000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE budget_ledger`);
    await q.query(`DROP TABLE budget_caps`);
    await q.query(`
      CREATE TABLE budget_caps (
        tenant_id text NOT NULL,
        cap text NOT NULL CHECK (cap IN ('run', 'user_daily', 'user_monthly', 'tenant_daily',
          'tenant_monthly', 'global_daily', 'global_monthly')),
        subject text NOT NULL,
        limit_usd numeric(18,8) NOT NULL CHECK (limit_usd >= 0),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        reason text NOT NULL,
        PRIMARY KEY (tenant_id, cap, subject)
      )`);
    await q.query(`
      CREATE TABLE budget_reservations (
        reservation_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        run_id text NOT NULL,
        agent text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('model', 'tool')),
        item text NOT NULL,
        price_version text NOT NULL,
        amount_usd numeric(20,9) NOT NULL CHECK (amount_usd >= 0),
        settled_usd numeric(20,9),
        status text NOT NULL CHECK (status IN ('held', 'settled', 'released', 'refused')),
        day date NOT NULL,
        month text NOT NULL,
        held_scopes text[] NOT NULL DEFAULT '{}',
        refusal jsonb,
        created_at timestamptz NOT NULL,
        settled_at timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX budget_reservations_tenant_day ON budget_reservations (tenant_id, day)`,
    );
    await q.query(
      `CREATE INDEX budget_reservations_user_day ON budget_reservations (tenant_id, user_id, day)`,
    );
    // Global counters are created from every tenant's spend of a day or month.
    await q.query(`CREATE INDEX budget_reservations_day ON budget_reservations (day)`);
    await q.query(`CREATE INDEX budget_reservations_run ON budget_reservations (run_id)`);
    await q.query(
      `CREATE INDEX budget_reservations_held ON budget_reservations (expires_at) WHERE status = 'held'`,
    );
    await q.query(
      `CREATE INDEX budget_reservations_settled_at ON budget_reservations (settled_at)`,
    );
    await q.query(`
      CREATE TABLE budget_counters (
        scope text NOT NULL,
        period text NOT NULL,
        spent_usd numeric(20,9) NOT NULL,
        held_usd numeric(20,9) NOT NULL,
        PRIMARY KEY (scope, period)
      )`);
    await q.query(`
      CREATE TABLE budget_warnings (
        scope text NOT NULL,
        period text NOT NULL,
        cap text NOT NULL,
        run_id text NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (scope, period, cap)
      )`);
    await q.query(`
      CREATE TABLE budget_runs (
        tenant_id text NOT NULL,
        run_id text PRIMARY KEY,
        user_id text NOT NULL,
        agent text NOT NULL,
        model text NOT NULL,
        started_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE budget_spikes (
        tenant_id text NOT NULL,
        hour timestamptz NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, hour)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'budget_spikes',
      'budget_runs',
      'budget_warnings',
      'budget_counters',
      'budget_reservations',
      'budget_caps',
    ])
      await q.query(`DROP TABLE ${table}`);
    await new BudgetTables1763700000020().up(q);
  }
}

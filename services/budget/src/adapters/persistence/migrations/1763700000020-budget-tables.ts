import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BudgetTables1763700000020 implements MigrationInterface {
  name = 'BudgetTables1763700000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE budget_ledger (
        entry_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        user_id text,
        run_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('reserve', 'settle', 'release')),
        amount_usd numeric(18,8) NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX budget_ledger_tenant ON budget_ledger (tenant_id, created_at)`);
    await q.query(`CREATE INDEX budget_ledger_run ON budget_ledger (run_id)`);
    await q.query(`
      CREATE TABLE budget_caps (
        scope text PRIMARY KEY,
        limit_usd numeric(18,8) NOT NULL CHECK (limit_usd >= 0),
        period text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE budget_caps`);
    await q.query(`DROP TABLE budget_ledger`);
  }
}

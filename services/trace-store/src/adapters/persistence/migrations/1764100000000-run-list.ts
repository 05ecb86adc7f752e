import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `created_at` (the run's first event) orders and bounds run lists: `started_at` is empty for a
 * run rejected before it started. The two indexes serve an operator's list of the tenant and a
 * user's list of their own runs, newest first, as keyset scans.
 */
export class RunList1764100000000 implements MigrationInterface {
  name = 'RunList1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE trace_runs ADD COLUMN created_at timestamptz`);
    await q.query(`
      UPDATE trace_runs r SET created_at = e.first
      FROM (SELECT tenant_id, run_id, min(time) AS first FROM trace_events GROUP BY 1, 2) e
      WHERE e.tenant_id = r.tenant_id AND e.run_id = r.run_id`);
    await q.query(`DROP INDEX IF EXISTS trace_runs_started`);
    await q.query(
      `CREATE INDEX trace_runs_created ON trace_runs (tenant_id, created_at DESC, run_id DESC)`,
    );
    await q.query(
      `CREATE INDEX trace_runs_user_created ON trace_runs (tenant_id, user_id, created_at DESC, run_id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX trace_runs_user_created`);
    await q.query(`DROP INDEX trace_runs_created`);
    await q.query(`CREATE INDEX trace_runs_started ON trace_runs (tenant_id, started_at DESC)`);
    await q.query(`ALTER TABLE trace_runs DROP COLUMN created_at`);
  }
}

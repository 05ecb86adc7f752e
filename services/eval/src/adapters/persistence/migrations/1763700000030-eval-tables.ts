import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EvalTables1763700000030 implements MigrationInterface {
  name = 'EvalTables1763700000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE eval_suites (
        suite_id text PRIMARY KEY,
        name text NOT NULL,
        agent text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE eval_runs (
        eval_run_id text PRIMARY KEY,
        suite_id text NOT NULL REFERENCES eval_suites (suite_id),
        status text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX eval_runs_suite ON eval_runs (suite_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE eval_runs`);
    await q.query(`DROP TABLE eval_suites`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApprovalTables1763700000010 implements MigrationInterface {
  name = 'ApprovalTables1763700000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approval_requests (
        approval_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        call_id text NOT NULL,
        tool text NOT NULL,
        tier smallint NOT NULL,
        args jsonb NOT NULL,
        requested_by text NOT NULL,
        status text NOT NULL,
        expires_at timestamptz NOT NULL,
        quorum smallint NOT NULL CHECK (quorum >= 1),
        created_at timestamptz NOT NULL,
        decided_at timestamptz
      )`);
    await q.query(`CREATE INDEX approval_requests_run ON approval_requests (tenant_id, run_id)`);
    // The expiry sweep reads pending requests by deadline.
    await q.query(
      `CREATE INDEX approval_requests_expiry ON approval_requests (status, expires_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approval_requests`);
  }
}

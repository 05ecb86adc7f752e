import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The queue humans work from: reviews and drafts beside approvals, votes towards a quorum. */
export class ApprovalQueue1763900000010 implements MigrationInterface {
  name = 'ApprovalQueue1763900000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE approval_requests
        ADD COLUMN kind text NOT NULL DEFAULT 'approval',
        ADD COLUMN agent text NOT NULL DEFAULT '',
        ADD COLUMN risk text NOT NULL DEFAULT 'high',
        ADD COLUMN context jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN on_expiry text NOT NULL DEFAULT 'deny',
        ADD COLUMN votes jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN edited_args jsonb`);
    // The queue as approvers page through it: one tenant, one status, newest first.
    await q.query(
      `CREATE INDEX approval_requests_queue ON approval_requests (tenant_id, status, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX approval_requests_queue`);
    await q.query(`
      ALTER TABLE approval_requests
        DROP COLUMN kind, DROP COLUMN agent, DROP COLUMN risk, DROP COLUMN context,
        DROP COLUMN on_expiry, DROP COLUMN votes, DROP COLUMN edited_args`);
  }
}

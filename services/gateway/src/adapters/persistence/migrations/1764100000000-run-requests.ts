import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RunRequests1764100000000 implements MigrationInterface {
  name = 'RunRequests1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_run_requests (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        user_id text NOT NULL,
        agent text NOT NULL,
        idempotency_key text,
        request_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        published_at timestamptz,
        PRIMARY KEY (tenant_id, run_id)
      )`);
    // One run per key and tenant: the constraint, not a read before the write, makes create idempotent.
    await q.query(`
      CREATE UNIQUE INDEX gateway_run_requests_key ON gateway_run_requests (tenant_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway_run_requests`);
  }
}

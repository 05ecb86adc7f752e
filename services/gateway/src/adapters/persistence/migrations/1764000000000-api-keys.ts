import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1764000000000 implements MigrationInterface {
  name = 'ApiKeys1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_api_keys (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        subject text NOT NULL,
        roles text[] NOT NULL,
        name text,
        prefix text NOT NULL,
        -- SHA-256 of the clear key, hex; the clear key is never stored.
        key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        revoked_by text
      )`);
    await q.query(`CREATE UNIQUE INDEX gateway_api_keys_hash ON gateway_api_keys (key_hash)`);
    await q.query(
      `CREATE INDEX gateway_api_keys_tenant ON gateway_api_keys (tenant_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway_api_keys`);
  }
}

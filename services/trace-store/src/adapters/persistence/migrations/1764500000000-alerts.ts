import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes on `ended_at` for the alert rules' window aggregates, partial so that calls and runs
 * under way (no `ended_at` yet) are not in them, and `trace_alerts`, the once-only claims of
 * fired alerts. Outside a transaction, so the indexes are built CONCURRENTLY: the projection keeps
 * writing these tables while an existing installation builds them.
 */
export class Alerts1764500000000 implements MigrationInterface {
  name = 'Alerts1764500000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS trace_alerts (
        id text PRIMARY KEY,
        rule text NOT NULL,
        kind text NOT NULL,
        tenant_id text NOT NULL,
        agent text NOT NULL,
        release text,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        record jsonb NOT NULL,
        -- Also the lease: an instance that claimed or retried an alert owns it until then + 1 min.
        claimed_at timestamptz NOT NULL,
        published_at timestamptz,
        notified_at timestamptz,
        webhook_error text
      )`);
    await q.query(`
      CREATE INDEX IF NOT EXISTS trace_alerts_pending ON trace_alerts (claimed_at)
      WHERE published_at IS NULL OR notified_at IS NULL`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS trace_alerts_tenant ON trace_alerts (tenant_id, window_end DESC)`,
    );
    for (const table of ['trace_tool_calls', 'trace_model_calls', 'trace_runs'])
      await createIndexConcurrently(
        q,
        `${table}_ended`,
        `${table} (ended_at) WHERE ended_at IS NOT NULL`,
      );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['trace_tool_calls', 'trace_model_calls', 'trace_runs'])
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${table}_ended`);
    await q.query(`DROP TABLE IF EXISTS trace_alerts`);
  }
}

/**
 * A concurrent build that fails half way leaves an invalid index behind, which `IF NOT EXISTS`
 * would then keep for good: drop such a leftover and build again.
 */
async function createIndexConcurrently(q: QueryRunner, name: string, on: string): Promise<void> {
  const [found] = await q.query(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relname = $1 AND pg_table_is_visible(c.oid)`,
    [name],
  );
  if (found?.valid) return;
  if (found) await q.query(`DROP INDEX CONCURRENTLY ${name}`);
  await q.query(`CREATE INDEX CONCURRENTLY ${name} ON ${on}`);
}

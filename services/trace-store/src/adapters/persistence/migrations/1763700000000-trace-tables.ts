import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TraceTables1763700000000 implements MigrationInterface {
  name = 'TraceTables1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trace_events (
        seq bigint NOT NULL,
        event_id text NOT NULL,
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        type text NOT NULL,
        time timestamptz NOT NULL,
        source text NOT NULL,
        causation_id text,
        traceparent text,
        data json NOT NULL,
        -- One index serves both needs: a replayed event (same run, same sequence) inserts
        -- nothing, and a run's timeline is one range scan.
        PRIMARY KEY (tenant_id, run_id, seq)
      )`);
    await q.query(`
      CREATE TABLE trace_runs (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        agent text,
        release text,
        user_id text,
        mode text,
        status text NOT NULL,
        outcome text,
        reason text,
        message text,
        output text,
        steps int NOT NULL,
        tool_calls int NOT NULL,
        input_tokens bigint NOT NULL,
        output_tokens bigint NOT NULL,
        cost_usd numeric(18,8) NOT NULL,
        started_at timestamptz,
        ended_at timestamptz,
        duration_ms int,
        last_seq bigint NOT NULL,
        status_seq bigint NOT NULL,
        event_count int NOT NULL,
        PRIMARY KEY (tenant_id, run_id)
      )`);
    await q.query(`CREATE INDEX trace_runs_started ON trace_runs (tenant_id, started_at DESC)`);
    await q.query(
      `CREATE TABLE projection_checkpoints (name text PRIMARY KEY, seq bigint NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projection_checkpoints`);
    await q.query(`DROP TABLE trace_runs`);
    await q.query(`DROP TABLE trace_events`);
  }
}

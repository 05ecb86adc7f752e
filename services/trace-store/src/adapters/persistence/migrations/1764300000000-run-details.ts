import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The detail tables behind a run's timeline (see `domain/run-details.projection.ts`). They fill
 * from the events projected from now on; `tether rebuild` fills them for the runs already there.
 */
export class RunDetails1764300000000 implements MigrationInterface {
  name = 'RunDetails1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trace_steps (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        step int NOT NULL,
        model text,
        attempts int,
        failures int NOT NULL DEFAULT 0,
        started_at timestamptz,
        ended_at timestamptz,
        finish_reason text,
        tool_calls int,
        input_tokens bigint,
        output_tokens bigint,
        cost_usd numeric(18,8),
        latency_ms int,
        text text,
        PRIMARY KEY (tenant_id, run_id, step)
      )`);
    await q.query(`
      CREATE TABLE trace_model_calls (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        step int NOT NULL,
        attempt int NOT NULL,
        provider text,
        requested_model text,
        model text,
        status text NOT NULL,
        status_seq bigint NOT NULL,
        requested_at timestamptz,
        ended_at timestamptz,
        input_tokens bigint,
        output_tokens bigint,
        cached_input_tokens bigint,
        reasoning_tokens bigint,
        cost_usd numeric(18,8),
        latency_ms int,
        finish_reason text,
        error text,
        retryable boolean,
        PRIMARY KEY (tenant_id, run_id, step, attempt)
      )`);
    await q.query(`
      CREATE TABLE trace_tool_calls (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        call_id text NOT NULL,
        tool text,
        tier int,
        step int,
        args jsonb,
        permission text,
        rule text,
        status text NOT NULL,
        status_seq bigint NOT NULL,
        reason text,
        error text,
        denied_by text,
        requested_at timestamptz,
        started_at timestamptz,
        ended_at timestamptz,
        attempts int,
        dry_run boolean,
        result jsonb,
        latency_ms int,
        cost_usd numeric(18,8),
        guardrail text,
        PRIMARY KEY (tenant_id, run_id, call_id)
      )`);
    // Run lists filtered by tool.
    await q.query(
      `CREATE INDEX trace_tool_calls_tool ON trace_tool_calls (tenant_id, tool, run_id)`,
    );
    await q.query(`
      CREATE TABLE trace_approvals (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        approval_id text NOT NULL,
        call_id text,
        tool text,
        tier int,
        requested_by text,
        quorum int,
        risk text,
        requested_at timestamptz,
        expires_at timestamptz,
        status text NOT NULL,
        status_seq bigint NOT NULL,
        approver_id text,
        reason text,
        decided_at timestamptz,
        edited boolean,
        PRIMARY KEY (tenant_id, run_id, approval_id)
      )`);
    await q.query(`
      CREATE TABLE trace_guardrail_triggers (
        tenant_id text NOT NULL,
        run_id text NOT NULL,
        seq bigint NOT NULL,
        rule_id text,
        stage text,
        action text,
        call_id text,
        detail text,
        at timestamptz,
        PRIMARY KEY (tenant_id, run_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trace_guardrail_triggers`);
    await q.query(`DROP TABLE trace_approvals`);
    await q.query(`DROP TABLE trace_tool_calls`);
    await q.query(`DROP TABLE trace_model_calls`);
    await q.query(`DROP TABLE trace_steps`);
  }
}

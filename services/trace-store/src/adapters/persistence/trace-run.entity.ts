import { Column, Entity, PrimaryColumn } from 'typeorm';

const num = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** The run summary projection (see domain/run-summary.projection.ts); its indexes are in the migrations. */
@Entity('trace_runs')
export class TraceRunEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'run_id' }) runId!: string;
  @Column('text', { nullable: true }) agent!: string | null;
  @Column('text', { nullable: true }) release!: string | null;
  @Column('text', { name: 'user_id', nullable: true }) userId!: string | null;
  @Column('text', { nullable: true }) mode!: string | null;
  @Column('text') status!: string;
  @Column('text', { nullable: true }) outcome!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) message!: string | null;
  @Column('text', { nullable: true }) output!: string | null;
  @Column('int') steps!: number;
  @Column('int', { name: 'tool_calls' }) toolCalls!: number;
  @Column('bigint', { name: 'input_tokens', transformer: num }) inputTokens!: number;
  @Column('bigint', { name: 'output_tokens', transformer: num }) outputTokens!: number;
  @Column('numeric', { name: 'cost_usd', precision: 18, scale: 8, transformer: num })
  costUsd!: number;
  @Column('timestamptz', { name: 'created_at', nullable: true }) createdAt!: Date | null;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt!: Date | null;
  @Column('int', { name: 'duration_ms', nullable: true }) durationMs!: number | null;
  @Column('bigint', { name: 'last_seq', transformer: num }) lastSeq!: number;
  @Column('bigint', { name: 'status_seq', transformer: num }) statusSeq!: number;
  @Column('int', { name: 'event_count' }) eventCount!: number;
}

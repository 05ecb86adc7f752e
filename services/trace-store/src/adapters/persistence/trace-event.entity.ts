import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per event of the log. The key (tenant, run, stream sequence) makes inserting an event
 * twice impossible and a run's timeline one range scan.
 */
@Entity('trace_events')
export class TraceEventEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'run_id' }) runId!: string;
  @PrimaryColumn('bigint', {
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  seq!: number;
  @Column('text', { name: 'event_id' }) eventId!: string;
  @Column('text') type!: string;
  @Column('timestamptz') time!: Date;
  @Column('text') source!: string;
  @Column('text', { name: 'causation_id', nullable: true }) causationId!: string | null;
  @Column('text', { nullable: true }) traceparent!: string | null;
  // json, not jsonb: rows are written once and read whole, so storing the text as is is cheaper.
  @Column('json') data!: unknown;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row per event of the log, keyed by its stream sequence: inserting it twice is impossible. */
@Entity('trace_events')
@Index(['tenantId', 'runId', 'seq'])
export class TraceEventEntity {
  @PrimaryColumn('bigint', {
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  seq!: number;
  @Column('text', { name: 'event_id', unique: true }) eventId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text', { name: 'run_id' }) runId!: string;
  @Column('text') type!: string;
  @Column('timestamptz') time!: Date;
  @Column('text') source!: string;
  @Column('text', { name: 'causation_id', nullable: true }) causationId!: string | null;
  @Column('text', { nullable: true }) traceparent!: string | null;
  // json, not jsonb: rows are written once and read whole, so storing the text as is is cheaper.
  @Column('json') data!: unknown;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A run started over HTTP: who it acts for (so its owner is known before its first event is
 * projected) and the `Idempotency-Key` that started it.
 */
@Entity('gateway_run_requests')
export class RunRequestEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'run_id' }) runId!: string;
  @Column('text', { name: 'user_id' }) userId!: string;
  @Column('text') agent!: string;
  /** Cleared once the key is older than the idempotency window, so the key may be used again. */
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey!: string | null;
  @Column('text', { name: 'request_hash' }) requestHash!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  /** When `run.start` was stored in `_CMD`; empty if the gateway stopped before publishing it. */
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt!: Date | null;
}

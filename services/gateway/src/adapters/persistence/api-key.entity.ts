import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One API key. The clear key is never stored: `keyHash` is its SHA-256, `prefix` its first characters. */
@Entity('gateway_api_keys')
@Index(['tenantId', 'createdAt'])
export class ApiKeyEntity {
  /** `key_` + ULID: how listings and revocation name a key. */
  @PrimaryColumn('text') id!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  /** The user id the key acts as (`approverId` of its decisions). */
  @Column('text') subject!: string;
  @Column('text', { array: true }) roles!: string[];
  @Column('text', { nullable: true }) name!: string | null;
  @Column('text') prefix!: string;
  @Index({ unique: true })
  @Column('text', { name: 'key_hash' })
  keyHash!: string;
  /** Who created it: `<tenant admin's key id>` over HTTP, or what the NATS caller named. */
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('text', { name: 'revoked_by', nullable: true }) revokedBy!: string | null;
}

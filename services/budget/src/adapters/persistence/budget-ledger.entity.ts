import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { numericUsd } from './numeric.transformer';

export const LedgerEntryKind = {
  Reserve: 'reserve',
  Settle: 'settle',
  Release: 'release',
} as const;
export type LedgerEntryKind = (typeof LedgerEntryKind)[keyof typeof LedgerEntryKind];

/** The spend ledger: append-only entries; a scope's spend is the sum of its entries. */
@Entity('budget_ledger')
@Index(['tenantId', 'createdAt'])
@Index(['runId'])
export class BudgetLedgerEntity {
  @PrimaryColumn('text', { name: 'entry_id' }) entryId!: string;
  @Column('text', { name: 'tenant_id' }) tenantId!: string;
  @Column('text', { name: 'user_id', nullable: true }) userId!: string | null;
  @Column('text', { name: 'run_id' }) runId!: string;
  @Column('text') kind!: LedgerEntryKind;
  /** US dollars. */
  @Column('numeric', { name: 'amount_usd', precision: 18, scale: 8, transformer: numericUsd })
  amountUsd!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

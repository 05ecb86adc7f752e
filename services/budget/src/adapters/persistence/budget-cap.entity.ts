import { Column, Entity, PrimaryColumn } from 'typeorm';
import { numericUsd } from './numeric.transformer';

/** A spending limit on one scope (run, user, tenant or global; the key format comes with the caps). */
@Entity('budget_caps')
export class BudgetCapEntity {
  @PrimaryColumn('text') scope!: string;
  /** US dollars per period. */
  @Column('numeric', { name: 'limit_usd', precision: 18, scale: 8, transformer: numericUsd })
  limitUsd!: number;
  @Column('text') period!: string;
}

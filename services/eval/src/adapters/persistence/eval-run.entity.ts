import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One execution of a suite. */
@Entity('eval_runs')
@Index(['suiteId', 'createdAt'])
export class EvalRunEntity {
  @PrimaryColumn('text', { name: 'eval_run_id' }) evalRunId!: string;
  @Column('text', { name: 'suite_id' }) suiteId!: string;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

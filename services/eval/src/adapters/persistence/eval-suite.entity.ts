import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A named set of eval cases for one agent. */
@Entity('eval_suites')
export class EvalSuiteEntity {
  @PrimaryColumn('text', { name: 'suite_id' }) suiteId!: string;
  @Column('text') name!: string;
  @Column('text') agent!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Highest stream sequence a projection has committed, written in the same transaction as its rows. */
@Entity('projection_checkpoints')
export class ProjectionCheckpointEntity {
  @PrimaryColumn('text') name!: string;
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seq!: number;
}

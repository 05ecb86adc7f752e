import { ApiProperty, ApiPropertyOptional, OmitType, PickType } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import {
  CAP_NAMES,
  SPEND_GROUPS,
  SetBudgetCap,
  SpendQuery,
  type BudgetCap,
  type BudgetCapChanged,
  type CapName,
  type SpendGroup,
  type SpendReport,
  type SpendRow,
} from '@tether/contracts';

/** `GET /v1/spend` query: the contract's `SpendQuery`, less the tenant (the key's). */
export class SpendParams extends OmitType(SpendQuery, ['tenantId'] as const) {
  @ApiProperty({
    enum: SPEND_GROUPS,
    description:
      'The grouping. A key without the operator or admin role may not use user or tenant.',
  })
  override by!: SpendGroup;
  @ApiPropertyOptional({
    format: 'date',
    example: '2026-11-01',
    description: 'First UTC day; default: 30 days before `to`.',
  })
  override from?: string;
  @ApiPropertyOptional({
    format: 'date',
    example: '2026-11-21',
    description: 'Last UTC day, included; default: today.',
  })
  override to?: string;
  @ApiPropertyOptional({
    maxLength: 128,
    description:
      "One user's spend. A user key sees only its own (this defaults to, and may only be, its subject).",
  })
  override userId?: string;
  @ApiPropertyOptional({ maxLength: 128, example: 'support-agent' }) override agent?: string;
  @ApiPropertyOptional({
    maxLength: 256,
    example: 'openai:gpt-4.1',
    description: '`<provider>:<model id>`.',
  })
  override model?: string;
}

export class CapParams {
  @ApiProperty({
    enum: CAP_NAMES,
    example: 'user_daily',
    description:
      '`global_*` caps are set on the bus only (`tether budget set <cap> <usd> --global`) and read-only over HTTP: asked for here, the budget service refuses them (422).',
  })
  @IsIn(CAP_NAMES, { message: `cap must be one of ${CAP_NAMES.join(', ')}` })
  cap!: CapName;
}

/**
 * `PUT /v1/budget/caps/:cap`: the new limit and why; who is the key's subject, the tenant the key's.
 * There is no way to name another tenant or every tenant (`_all`): global caps are set on the bus.
 */
export class SetCapBody extends PickType(SetBudgetCap, ['limitUsd', 'subject', 'reason'] as const) {
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    example: 25,
    description: 'Dollars per period (per run for `run`); null removes the cap.',
  })
  override limitUsd!: number | null;
  @ApiPropertyOptional({
    maxLength: 128,
    example: 'u_88',
    description:
      'For `user_*` caps: one user id, or `*` (the default) for every user of the tenant.',
  })
  override subject?: string;
  @ApiProperty({ maxLength: 1024, example: 'trial account' }) override reason!: string;
}

// The classes below document the answers in OpenAPI; `implements` keeps them in step with the contract.

export class BudgetCapDoc implements BudgetCap {
  @ApiProperty({
    description: '`_all` for a global cap: set on the bus for every tenant, read-only over HTTP.',
  })
  tenantId!: string;
  @ApiProperty({ enum: CAP_NAMES }) cap!: CapName;
  @ApiProperty({ description: 'A user id, or `*`.' }) subject!: string;
  @ApiProperty() limitUsd!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty() updatedBy!: string;
  @ApiProperty() reason!: string;
}

export class BudgetCapListDoc {
  @ApiProperty({ type: [BudgetCapDoc] }) items!: BudgetCapDoc[];
}

export class BudgetCapChangedDoc implements BudgetCapChanged {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['budget.cap.changed'] }) type!: 'budget.cap.changed';
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty({ enum: CAP_NAMES }) cap!: CapName;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null: there was no cap.' })
  previousUsd!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'null: the cap was removed.' })
  limitUsd!: number | null;
  @ApiProperty() by!: string;
  @ApiProperty() reason!: string;
}

export class SpendRowDoc implements SpendRow {
  @ApiProperty({
    description: 'The group: a tenant, user, agent, `<provider>:<model>` (or tool), or a day.',
  })
  key!: string;
  @ApiProperty() spentUsd!: number;
  @ApiProperty() calls!: number;
}

export class SpendReportDoc implements SpendReport {
  @ApiProperty() tenantId!: string;
  @ApiProperty({ enum: SPEND_GROUPS }) by!: SpendGroup;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty() totalUsd!: number;
  @ApiProperty({ description: 'Held for calls under way, not yet settled.' }) heldUsd!: number;
  @ApiProperty({ type: [SpendRowDoc] }) rows!: SpendRowDoc[];
}

/**
 * The budget service over request/reply (`<P>.svc.budget.<op>`, see `BudgetOp`): reservations
 * before every paid call, caps operators change at runtime, and spend reports. Every request
 * names the caller's tenant; nothing crosses tenants except the global caps (tenant `_all`), which
 * only whoever may publish on `<P>.svc.budget.caps.set` sets — never through the gateway.
 */
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ALL_TENANTS, TOKEN_PATTERN } from '../subjects';

export const BUDGET_SERVICE = 'budget';

export const BudgetOp = {
  /** `ReserveBudget` → `BudgetDecision` */
  Reserve: 'reserve',
  /** `{ tenantId }` → `BudgetCap[]` (the tenant's and the global ones) */
  CapsList: 'caps.list',
  /** `SetBudgetCap` → `BudgetCapChanged` (the audit record, also on `_CTL`) */
  CapsSet: 'caps.set',
  /** `SpendQuery` → `SpendReport` */
  Spend: 'spend',
} as const;
export type BudgetOp = (typeof BudgetOp)[keyof typeof BudgetOp];

/**
 * Every cap, in the order a reservation checks them (the first one short names the refusal).
 * `run` holds for each run; `user_*` for each user of a tenant (a cap for one user overrides the
 * tenant's default for every user, subject `*`); `tenant_*` for a tenant; `global_*` for the
 * whole installation (tenant `_all`). Days and months are UTC.
 */
export const CAP_NAMES = [
  'run',
  'user_daily',
  'user_monthly',
  'tenant_daily',
  'tenant_monthly',
  'global_daily',
  'global_monthly',
] as const;
export type CapName = (typeof CAP_NAMES)[number];

/** What is paid for: a model call or a tool call with a price. */
export const SPEND_KINDS = ['model', 'tool'] as const;
export type SpendKind = (typeof SPEND_KINDS)[number];

const ITEM_PATTERN = /^[\w.:/@-]{1,256}$/;

/**
 * A call of the same run whose answer is already in the log, settled with the next reservation
 * so the run's next hold sees its real cost instead of its worst case. The ledger's consumer of
 * the log settles it too; whichever comes first counts, once.
 */
export class SettledCall {
  @IsString() @MaxLength(256) reservationId!: string;
  @IsNumber() @Min(0) costUsd!: number;
  /** The time of the event that reported it. */
  @IsISO8601() at!: string;
}

/** Hold the worst case of one call. Idempotent by `reservationId`: asking again answers the same. */
export class ReserveBudget {
  @Matches(TOKEN_PATTERN) tenantId!: string;
  @IsString() @MaxLength(128) runId!: string;
  @IsString() @MaxLength(128) userId!: string;
  @IsString() @MaxLength(128) agent!: string;
  /** Deterministic per call: `res_<runId>_m<step>_<attempt>` or `res_<runId>_<callId>`. */
  @IsString() @MaxLength(256) reservationId!: string;
  @IsIn(SPEND_KINDS) kind!: SpendKind;
  /** `<provider>:<model id>` or the tool's name. */
  @Matches(ITEM_PATTERN) item!: string;
  /** Dollars of the worst case; absent when the price is unknown (refused under any dollar cap). */
  @IsOptional() @IsNumber() @Min(0) amountUsd?: number;
  /** The agent's own `limits.maxCostUsd`, if any: the run cap is the lowest of it and the operators'. */
  @IsOptional() @IsNumber() @Min(0) runCapUsd?: number;
  /** The price table the amount came from. */
  @IsString() @MaxLength(64) priceVersion!: string;
  /** Calls of this run answered since its last reservation (ids `res_<runId>_…` only). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @ValidateNested({ each: true })
  @Type(() => SettledCall)
  settles?: SettledCall[];
}

/** A cap crossed its warning share by this reservation (sent once per cap, scope and period). */
export interface BudgetWarningNotice {
  cap: CapName;
  /** `2026-11-21`, `2026-11` or `run`. */
  period: string;
  /** Spent and held in the period, this reservation included. */
  spentUsd: number;
  limitUsd: number;
  share: number;
}

export interface BudgetRefusal {
  cap: CapName;
  period: string;
  limitUsd: number;
  /** Spent and held in the period before this reservation. */
  spentUsd: number;
  /** The worst case asked for; absent when the price was unknown. */
  requestedUsd?: number;
  /** `cap_reached`, or `unpriced` (no known price under a dollar cap). */
  reason: 'cap_reached' | 'unpriced';
}

export type BudgetDecision =
  | {
      granted: true;
      reservationId: string;
      amountUsd: number;
      priceVersion: string;
      warnings: BudgetWarningNotice[];
      /** true when this answers an earlier request with the same id. */
      replayed: boolean;
    }
  | { granted: false; reservationId: string; refusal: BudgetRefusal; replayed: boolean };

/** Sets or removes (`limitUsd: null`) a cap at runtime; audited on `_CTL` with who and why. */
export class SetBudgetCap {
  /** The tenant, or `_all` for a global cap (bus only: the gateway always sends the key's tenant). */
  @Matches(TOKEN_PATTERN) tenantId!: string;
  @IsIn(CAP_NAMES) cap!: CapName;
  /** For `user_*` caps: one user id, or `*` for every user of the tenant. Others: `*`. */
  @IsOptional() @IsString() @MaxLength(128) subject?: string;
  /** Dollars per period; null removes the cap. */
  @ValidateIf((o: SetBudgetCap) => o.limitUsd !== null)
  @IsNumber()
  @Min(0)
  limitUsd!: number | null;
  @IsString() @Matches(/\S/) @MaxLength(256) by!: string;
  @IsString() @Matches(/\S/) @MaxLength(1024) reason!: string;
}

/** A cap in force. */
export interface BudgetCap {
  /** `_all` for a global cap. */
  tenantId: string;
  cap: CapName;
  subject: string;
  limitUsd: number;
  updatedAt: string;
  updatedBy: string;
  reason: string;
}

/**
 * `budget.cap.changed` on `<P>.ctl.<tenant|_all>.budget.cap` (stream _CTL): the audit record of a
 * cap change, written before the change takes effect.
 */
export interface BudgetCapChanged {
  id: string;
  type: 'budget.cap.changed';
  time: string;
  tenantId: string;
  cap: CapName;
  subject: string;
  /** null: there was no cap. */
  previousUsd: number | null;
  /** null: the cap was removed. */
  limitUsd: number | null;
  by: string;
  reason: string;
}

/**
 * `budget.spike` on `<P>.ctl.<tenant>.budget.spike` (stream _CTL): the last hour's spend of a
 * tenant exceeded a multiple of its trailing daily average (per hour). At most one per tenant
 * per hour.
 */
export interface BudgetSpike {
  id: string;
  type: 'budget.spike';
  time: string;
  tenantId: string;
  lastHourUsd: number;
  /** Average hourly spend over the trailing days compared with. */
  baselineHourlyUsd: number;
  multiple: number;
}

export const SPEND_GROUPS = ['tenant', 'user', 'agent', 'model', 'day'] as const;
export type SpendGroup = (typeof SPEND_GROUPS)[number];

/** Spend of one tenant (settled calls), grouped, over UTC days `from`..`to` inclusive. */
export class SpendQuery {
  @Matches(TOKEN_PATTERN) tenantId!: string;
  @IsIn(SPEND_GROUPS) by!: SpendGroup;
  /** First day, `YYYY-MM-DD`; default: 30 days before `to`. */
  @IsOptional() @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/) from?: string;
  /** Last day, `YYYY-MM-DD`; default: today. */
  @IsOptional() @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/) to?: string;
  @IsOptional() @IsString() @MaxLength(128) userId?: string;
  @IsOptional() @IsString() @MaxLength(128) agent?: string;
  /** `<provider>:<model id>`. */
  @IsOptional() @IsString() @MaxLength(256) model?: string;
}

export interface SpendRow {
  /** The group's value: a tenant, user, agent, `<provider>:<model>` (or tool), or a day. */
  key: string;
  spentUsd: number;
  calls: number;
}

export interface SpendReport {
  tenantId: string;
  by: SpendGroup;
  from: string;
  to: string;
  totalUsd: number;
  /** Held for calls under way, not yet settled. */
  heldUsd: number;
  rows: SpendRow[];
}

/** The tenant id a global cap is stored and audited under. */
export const GLOBAL_CAP_TENANT = ALL_TENANTS;

import { IsIn, IsNumber, IsOptional, IsString, Min } from 'class-validator';
import { CAP_NAMES, SPEND_KINDS, type CapName, type SpendKind } from '../budget/budget-bus';

/** The budget service held the worst case of the next call; the call's own event settles it. */
export class BudgetReserved {
  @IsString() reservationId!: string;
  /** Dollars held for the worst case of the call. */
  @IsNumber() @Min(0) amountUsd!: number;
  /** Set for a tool call's reservation. */
  @IsOptional() @IsString() callId?: string;
  @IsOptional() @IsIn(SPEND_KINDS) kind?: SpendKind;
  /** `<provider>:<model id>` or the tool's name. */
  @IsOptional() @IsString() item?: string;
  /** The price table the amount came from. */
  @IsOptional() @IsString() priceVersion?: string;
}

export class BudgetWarning {
  /** Which cap: `run`, `user_daily`, `tenant_monthly`, … (see `CAP_NAMES`). */
  @IsString() cap!: string;
  @IsNumber() @Min(0) spentUsd!: number;
  @IsNumber() @Min(0) limitUsd!: number;
  /** Share of the cap used, 0..1. */
  @IsNumber() share!: number;
  /** `2026-11-21`, `2026-11` or `run`. */
  @IsOptional() @IsString() period?: string;
}

export class BudgetExceeded {
  @IsString() cap!: string;
  @IsNumber() @Min(0) limitUsd!: number;
  /** The worst case asked for (0 when the price was unknown). */
  @IsNumber() @Min(0) requestedUsd!: number;
  @IsOptional() @IsString() period?: string;
  /** Spent and held in the period before the refused call. */
  @IsOptional() @IsNumber() @Min(0) spentUsd?: number;
  /** `cap_reached`, or `unpriced` (no known price under a dollar cap). */
  @IsOptional() @IsIn(['cap_reached', 'unpriced']) reason?: 'cap_reached' | 'unpriced';
}

export type { CapName };
export { CAP_NAMES };

import { IsNumber, IsOptional, IsString, Min } from 'class-validator';

export class BudgetReserved {
  @IsString() reservationId!: string;
  /** Dollars held for the worst case of the call. */
  @IsNumber() @Min(0) amountUsd!: number;
  @IsOptional() @IsString() callId?: string;
}

export class BudgetWarning {
  /** Which cap: `run`, `user_daily`, `tenant_monthly`, … */
  @IsString() cap!: string;
  @IsNumber() @Min(0) spentUsd!: number;
  @IsNumber() @Min(0) limitUsd!: number;
  /** Share of the cap used, 0..1. */
  @IsNumber() share!: number;
}

export class BudgetExceeded {
  @IsString() cap!: string;
  @IsNumber() @Min(0) limitUsd!: number;
  @IsNumber() @Min(0) requestedUsd!: number;
}

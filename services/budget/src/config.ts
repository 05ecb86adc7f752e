import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';
import { WebhookSender } from '@tether/webhooks';

export const SERVICE = 'budget';
export const VERSION = '0.1.0';

class BudgetEnv extends BaseEnv {
  /** Share of a cap (0..1] from which a reservation warns, once per cap and period (default 0.8). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0.01)
  @Max(1)
  TETHER_BUDGET_WARN_SHARE?: number;
  /** How long a reservation holds its amount when its call never reports back, in ms (default 15 min). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  TETHER_BUDGET_HOLD_MS?: number;
  /** How often expired holds are released, in ms (default 10000). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  TETHER_BUDGET_SWEEP_MS?: number;
  /** How often spend spikes are looked for, in ms (default 60000). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  TETHER_BUDGET_SPIKE_CHECK_MS?: number;
  /** An hour above this many times the trailing hourly average is a spike (default 3). */
  @IsOptional() @Type(() => Number) @IsNumber() @Min(1) TETHER_BUDGET_SPIKE_MULTIPLE?: number;
  /** An hour below this many dollars is never a spike (default 1). */
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) TETHER_BUDGET_SPIKE_MIN_USD?: number;
}

export interface BudgetConfig extends BaseConfig {
  warnShare: number;
  holdMs: number;
  sweepMs: number;
  spike: { checkMs: number; multiple: number; minUsd: number };
  /** `TETHER_BUDGET_WEBHOOK_URL`, `_SECRET`, `_FORMAT` (json | slack); none: no webhook. */
  webhook?: WebhookSender;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BudgetConfig {
  const e = parseEnv(BudgetEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3104),
    warnShare: e.TETHER_BUDGET_WARN_SHARE ?? 0.8,
    holdMs: e.TETHER_BUDGET_HOLD_MS ?? 15 * 60_000,
    sweepMs: e.TETHER_BUDGET_SWEEP_MS ?? 10_000,
    spike: {
      checkMs: e.TETHER_BUDGET_SPIKE_CHECK_MS ?? 60_000,
      multiple: e.TETHER_BUDGET_SPIKE_MULTIPLE ?? 3,
      minUsd: e.TETHER_BUDGET_SPIKE_MIN_USD ?? 1,
    },
    webhook: WebhookSender.fromEnv('TETHER_BUDGET_WEBHOOK', env),
  };
}

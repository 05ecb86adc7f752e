import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';
import { WebhookSender } from '@tether/webhooks';
import { loadAlertRules } from './adapters/config/alert-rules.file';
import type { AlertRule } from './domain/alert-rules';

export const SERVICE = 'trace-store';
export const VERSION = '0.1.0';

class TraceStoreEnv extends BaseEnv {
  /** How often the alert rules are evaluated, in ms (default 15000); 0 turns alerts off. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @ValidateIf((e: TraceStoreEnv) => e.TETHER_ALERT_INTERVAL_MS !== 0)
  @Min(1_000, { message: 'TETHER_ALERT_INTERVAL_MS must be 0 (off) or at least 1000' })
  @Max(3_600_000)
  TETHER_ALERT_INTERVAL_MS?: number;
  /** A YAML file that changes, adds or turns off alert rules (docs/ARCHITECTURE.md, "Alerts"). */
  @IsOptional() @IsString() TETHER_ALERTS_FILE?: string;
}

export interface AlertsConfig {
  /** 0: never evaluated on a timer. */
  intervalMs: number;
  rules: readonly AlertRule[];
  /** `TETHER_ALERT_WEBHOOK_URL`, `_SECRET`, `_FORMAT` (json | slack); none: alerts go to `_CTL` only. */
  webhook?: WebhookSender;
}

/** Alerts are optional: a config built from `baseConfig` alone runs the projection without them. */
export interface TraceStoreConfig extends BaseConfig {
  alerts?: AlertsConfig;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TraceStoreConfig {
  const e = parseEnv(TraceStoreEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3105),
    alerts: {
      intervalMs: e.TETHER_ALERT_INTERVAL_MS ?? 15_000,
      rules: loadAlertRules(e.TETHER_ALERTS_FILE),
      webhook: WebhookSender.fromEnv('TETHER_ALERT_WEBHOOK', env),
    },
  };
}

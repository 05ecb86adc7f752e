import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { resolveAgentsDir } from '@tether/agents';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';
import { WebhookSender } from '@tether/webhooks';

export const SERVICE = 'approval';
export const VERSION = '0.1.0';

class ApprovalEnv extends BaseEnv {
  /** Folder of agent YAML files: edited arguments are checked against the tool's schema and caps. */
  @IsOptional() TETHER_AGENTS_DIR?: string;
  /** How often expired approvals are looked for, in ms (default 1000). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  TETHER_APPROVAL_SWEEP_MS?: number;
}

export interface ApprovalConfig extends BaseConfig {
  agentsDir: string;
  sweepMs: number;
  /** `TETHER_APPROVAL_WEBHOOK_URL`, `_SECRET`, `_FORMAT` (json | slack); none: no webhook. */
  webhook?: WebhookSender;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApprovalConfig {
  const e = parseEnv(ApprovalEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3103),
    agentsDir: resolveAgentsDir(e.TETHER_AGENTS_DIR),
    sweepMs: e.TETHER_APPROVAL_SWEEP_MS ?? 1000,
    webhook: WebhookSender.fromEnv('TETHER_APPROVAL_WEBHOOK', env),
  };
}

import { IsOptional, IsUrl } from 'class-validator';
import { resolveAgentsDir } from '@tether/agents';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'tool-executor';
export const VERSION = '0.1.0';

class ToolExecutorEnv extends BaseEnv {
  /** Folder of agent YAML files (the tools each agent declares). */
  @IsOptional() TETHER_AGENTS_DIR?: string;
  /** The carrier tracking API the support-desk pack calls. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  TETHER_CARRIER_API_URL?: string;
}

export interface ToolExecutorConfig extends BaseConfig {
  agentsDir: string;
  carrierApiUrl: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ToolExecutorConfig {
  const e = parseEnv(ToolExecutorEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3102),
    agentsDir: resolveAgentsDir(e.TETHER_AGENTS_DIR),
    // Nothing listens on the discard port: without a configured carrier, tracking is an outage.
    carrierApiUrl: e.TETHER_CARRIER_API_URL ?? 'http://127.0.0.1:9',
  };
}

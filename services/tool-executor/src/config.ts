import { IsOptional } from 'class-validator';
import { resolveAgentsDir } from '@tether/agents';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'tool-executor';
export const VERSION = '0.1.0';

class ToolExecutorEnv extends BaseEnv {
  /** Folder of agent YAML files (the tools each agent declares). */
  @IsOptional() TETHER_AGENTS_DIR?: string;
}

export interface ToolExecutorConfig extends BaseConfig {
  agentsDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ToolExecutorConfig {
  const e = parseEnv(ToolExecutorEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3102),
    agentsDir: resolveAgentsDir(e.TETHER_AGENTS_DIR),
  };
}

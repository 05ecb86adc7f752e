import { resolve } from 'node:path';
import { IsOptional, IsString, IsUrl } from 'class-validator';
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
  /**
   * Folder of secret files, one per secret and named after it (docker and Kubernetes secrets).
   * A `TETHER_SECRET_<NAME>` variable wins over the file.
   */
  @IsOptional() @IsString() TETHER_SECRETS_DIR?: string;
}

/** Where the named secrets of tool sources come from. */
export interface SecretsConfig {
  /** The folder of secret files (`TETHER_SECRETS_DIR`), absolute. */
  dir?: string;
  /**
   * Reads `TETHER_SECRET_<name>`. A lookup rather than a copy of the values, so the config can
   * be printed without printing a secret.
   */
  env?: (name: string) => string | undefined;
}

export interface ToolExecutorConfig extends BaseConfig {
  agentsDir: string;
  carrierApiUrl: string;
  /** Absent: no secrets (configs that tests build by hand). */
  secrets?: SecretsConfig;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ToolExecutorConfig {
  const e = parseEnv(ToolExecutorEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3102),
    agentsDir: resolveAgentsDir(e.TETHER_AGENTS_DIR),
    // Nothing listens on the discard port: without a configured carrier, tracking is an outage.
    carrierApiUrl: e.TETHER_CARRIER_API_URL ?? 'http://127.0.0.1:9',
    secrets: {
      dir: e.TETHER_SECRETS_DIR ? resolve(e.TETHER_SECRETS_DIR) : undefined,
      env: (name) => env[`TETHER_SECRET_${name}`],
    },
  };
}

import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'trace-store';
export const VERSION = '0.1.0';

class TraceStoreEnv extends BaseEnv {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return baseConfig(parseEnv(TraceStoreEnv, env, SERVICE), SERVICE, VERSION, 3105);
}

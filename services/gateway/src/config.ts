import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'gateway';
export const VERSION = '0.1.0';

class GatewayEnv extends BaseEnv {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return baseConfig(parseEnv(GatewayEnv, env, SERVICE), SERVICE, VERSION, 3000);
}

import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'approval';
export const VERSION = '0.1.0';

class ApprovalEnv extends BaseEnv {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return baseConfig(parseEnv(ApprovalEnv, env, SERVICE), SERVICE, VERSION, 3103);
}

import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'budget';
export const VERSION = '0.1.0';

class BudgetEnv extends BaseEnv {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return baseConfig(parseEnv(BudgetEnv, env, SERVICE), SERVICE, VERSION, 3104);
}

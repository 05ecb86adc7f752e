import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'eval';
export const VERSION = '0.1.0';

class EvalEnv extends BaseEnv {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return baseConfig(parseEnv(EvalEnv, env, SERVICE), SERVICE, VERSION, 3106);
}

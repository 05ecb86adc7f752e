import { userInfo } from 'node:os';
import type { GlobalFlags } from './argv.parser';

export interface CliConfig {
  natsUrl: string;
  prefix: string;
  tenant: string;
  /** Who the CLI acts as: the run's userId, the canceller. */
  user: string;
  /** Who flips a kill switch when `--by` is not given: the OS user, when it can be told. */
  operator?: string;
  /** One JSON object per line instead of pretty output. */
  json: boolean;
  /** ANSI colours: only on a terminal, never with --json or NO_COLOR. */
  color: boolean;
  /** Print stacks of unexpected errors (TETHER_DEBUG=1). */
  debug: boolean;
}

export const CLI_DEFAULTS = {
  natsUrl: 'nats://127.0.0.1:4222',
  prefix: 'tether',
  tenant: 'acme',
  user: 'cli-user',
} as const;

/**
 * The only place the CLI reads the environment. Flags win over TETHER_NATS_URL, TETHER_PREFIX and
 * TETHER_TENANT, which win over the defaults. Values are checked where they are used (the SDK).
 */
export function loadCliConfig(
  flags: Partial<GlobalFlags>,
  env: NodeJS.ProcessEnv,
  stdoutIsTTY: boolean,
): CliConfig {
  const json = flags.json ?? false;
  return {
    natsUrl: flags.nats ?? (env.TETHER_NATS_URL || CLI_DEFAULTS.natsUrl),
    prefix: flags.prefix ?? (env.TETHER_PREFIX || CLI_DEFAULTS.prefix),
    tenant: flags.tenant ?? (env.TETHER_TENANT || CLI_DEFAULTS.tenant),
    user: flags.user ?? CLI_DEFAULTS.user,
    operator: osUser(env),
    json,
    color: stdoutIsTTY && !json && !env.NO_COLOR,
    debug: env.TETHER_DEBUG === '1' || env.TETHER_DEBUG === 'true',
  };
}

/** The OS user (`userInfo()`, else USER or LOGNAME); undefined where neither tells. */
export function osUser(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry for the uid (some containers): fall back to the environment.
  }
  return env.USER || env.LOGNAME || undefined;
}

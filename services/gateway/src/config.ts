import { IsOptional, Matches } from 'class-validator';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'gateway';
export const VERSION = '0.1.0';

const POSITIVE = /^[1-9][0-9]*$/;

class GatewayEnv extends BaseEnv {
  /** Requests one API key may make per window, counted by each gateway instance on its own. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_RATE_LIMIT?: string;
  /** The rate limit's window, in ms. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_RATE_WINDOW_MS?: string;
  /** Largest request body accepted, in bytes; a larger one is refused with 413. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_BODY_LIMIT_BYTES?: string;
  /** How long the gateway waits for another service's answer (approval, …) before a 503, in ms. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_SERVICE_TIMEOUT_MS?: string;
}

export interface GatewayConfig extends BaseConfig {
  api: {
    rateLimit: { limit: number; windowMs: number };
    bodyLimitBytes: number;
    serviceTimeoutMs: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = parseEnv(GatewayEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3000),
    api: {
      // Generous: a console polling the queue every second stays far below it.
      rateLimit: {
        limit: Number(e.TETHER_GATEWAY_RATE_LIMIT ?? 600),
        windowMs: Number(e.TETHER_GATEWAY_RATE_WINDOW_MS ?? 60_000),
      },
      bodyLimitBytes: Number(e.TETHER_GATEWAY_BODY_LIMIT_BYTES ?? 65_536),
      serviceTimeoutMs: Number(e.TETHER_GATEWAY_SERVICE_TIMEOUT_MS ?? 5_000),
    },
  };
}

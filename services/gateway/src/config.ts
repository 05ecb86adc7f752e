import { IsNotEmpty, IsOptional, IsUrl, Matches, ValidateIf } from 'class-validator';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';

export const SERVICE = 'gateway';
export const VERSION = '0.1.0';

const POSITIVE = /^[1-9][0-9]*$/;

/**
 * Signing algorithms a token may use: asymmetric ones only, so that nobody holding the public
 * JWKS can sign (`HS256` keyed with a public key is the classic forgery) and `none` never passes.
 */
export const JWT_ALGORITHMS = [
  ...['RS', 'PS', 'ES'].flatMap((family) => ['256', '384', '512'].map((bits) => family + bits)),
  'EdDSA',
] as const;
const ALGORITHM = `(?:${JWT_ALGORITHMS.join('|')})`;
const ALGORITHM_LIST = new RegExp(`^${ALGORITHM}(?:,${ALGORITHM})*$`);
const CLAIM_NAME = /^\S{1,200}$/;
const JWT_SETTINGS = [
  'TETHER_GATEWAY_JWKS_URL',
  'TETHER_GATEWAY_JWT_ISSUER',
  'TETHER_GATEWAY_JWT_AUDIENCE',
  'TETHER_GATEWAY_JWT_TENANT_CLAIM',
  'TETHER_GATEWAY_JWT_ROLES_CLAIM',
  'TETHER_GATEWAY_JWT_ALGORITHMS',
  'TETHER_GATEWAY_JWKS_COOLDOWN_MS',
] as const;
const jwtMode = (e: GatewayEnv) => e.TETHER_GATEWAY_JWKS_URL !== undefined;

class GatewayEnv extends BaseEnv {
  /** Requests one API key may make per window, counted by each gateway instance on its own. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_RATE_LIMIT?: string;
  /** The rate limit's window, in ms. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_RATE_WINDOW_MS?: string;
  /** Largest request body accepted, in bytes; a larger one is refused with 413. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_BODY_LIMIT_BYTES?: string;
  /** How long the gateway waits for another service's answer (approval, …) before a 503, in ms. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_SERVICE_TIMEOUT_MS?: string;
  /** How often a quiet event stream (SSE) sends a keep-alive comment, in ms. */
  @IsOptional() @Matches(POSITIVE) TETHER_GATEWAY_SSE_HEARTBEAT_MS?: string;

  // JWT bearer mode: on when the JWKS URL is set, which then needs an issuer and an audience.
  /** The identity provider's JSON Web Key Set (`https://idp.example/.well-known/jwks.json`). */
  @ValidateIf((e: GatewayEnv) => JWT_SETTINGS.some((k) => e[k] !== undefined))
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    {
      message:
        'TETHER_GATEWAY_JWKS_URL must be an http(s) URL; every TETHER_GATEWAY_JWT_* setting needs it',
    },
  )
  TETHER_GATEWAY_JWKS_URL?: string;
  /** The `iss` every token must carry. */
  @ValidateIf(jwtMode)
  @IsNotEmpty({ message: 'TETHER_GATEWAY_JWT_ISSUER is required with TETHER_GATEWAY_JWKS_URL' })
  TETHER_GATEWAY_JWT_ISSUER?: string;
  /** The `aud` every token must name (this gateway's client or API id at the identity provider). */
  @ValidateIf(jwtMode)
  @IsNotEmpty({ message: 'TETHER_GATEWAY_JWT_AUDIENCE is required with TETHER_GATEWAY_JWKS_URL' })
  TETHER_GATEWAY_JWT_AUDIENCE?: string;
  /** The claim (or dotted path) holding the tenant id. */
  @IsOptional() @Matches(CLAIM_NAME) TETHER_GATEWAY_JWT_TENANT_CLAIM?: string;
  /** The claim (or dotted path, `realm_access.roles`) holding the roles. */
  @IsOptional() @Matches(CLAIM_NAME) TETHER_GATEWAY_JWT_ROLES_CLAIM?: string;
  /** Accepted signing algorithms, comma-separated; asymmetric only (never `none` or HS*). */
  @IsOptional()
  @Matches(ALGORITHM_LIST, {
    message: `TETHER_GATEWAY_JWT_ALGORITHMS must be a comma-separated list of ${JWT_ALGORITHMS.join(', ')}`,
  })
  TETHER_GATEWAY_JWT_ALGORITHMS?: string;
  /** After fetching the JWKS, how long a token with an unknown key id waits for the next fetch, in ms. */
  @IsOptional() @Matches(/^[0-9]+$/) TETHER_GATEWAY_JWKS_COOLDOWN_MS?: string;
}

export interface GatewayConfig extends BaseConfig {
  api: {
    rateLimit: { limit: number; windowMs: number };
    bodyLimitBytes: number;
    serviceTimeoutMs: number;
    sseHeartbeatMs: number;
  };
  /** Bearer tokens that are not API keys are verified as JWTs; absent, only API keys authenticate. */
  jwt?: JwtConfig;
}

export interface JwtConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  claims: { tenant: string; roles: string };
  algorithms: string[];
  /** Leeway for `exp`, `nbf` and `iat` against clock skew with the identity provider, in s. */
  clockToleranceS: number;
  /** jose's `cooldownDuration`: fetches of the JWKS for unknown key ids are at least this far apart. */
  jwksCooldownMs: number;
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
      // Room for the longest input a run accepts (100,000 characters, up to 4 bytes each in UTF-8).
      bodyLimitBytes: Number(e.TETHER_GATEWAY_BODY_LIMIT_BYTES ?? 524_288),
      serviceTimeoutMs: Number(e.TETHER_GATEWAY_SERVICE_TIMEOUT_MS ?? 5_000),
      // Below the 30-60 s idle timeouts of common proxies and load balancers.
      sseHeartbeatMs: Number(e.TETHER_GATEWAY_SSE_HEARTBEAT_MS ?? 15_000),
    },
    ...(e.TETHER_GATEWAY_JWKS_URL !== undefined && { jwt: jwtConfig(e) }),
  };
}

function jwtConfig(e: GatewayEnv): JwtConfig {
  return {
    jwksUrl: e.TETHER_GATEWAY_JWKS_URL!,
    issuer: e.TETHER_GATEWAY_JWT_ISSUER!,
    audience: e.TETHER_GATEWAY_JWT_AUDIENCE!,
    claims: {
      tenant: e.TETHER_GATEWAY_JWT_TENANT_CLAIM ?? 'tenant',
      roles: e.TETHER_GATEWAY_JWT_ROLES_CLAIM ?? 'roles',
    },
    algorithms: (e.TETHER_GATEWAY_JWT_ALGORITHMS ?? 'RS256,PS256,ES256,EdDSA').split(','),
    clockToleranceS: 30,
    jwksCooldownMs: Number(e.TETHER_GATEWAY_JWKS_COOLDOWN_MS ?? 30_000),
  };
}

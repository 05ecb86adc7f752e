import { Injectable, Logger } from '@nestjs/common';
import {
  createRemoteJWKSet,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type KeyLike,
} from 'jose';
import { InjectConfig } from '@tether/service-kit';
import type { GatewayConfig, JwtConfig } from '../config';
import { principalOfClaims } from '../domain/jwt-claims';
import type { Caller } from './api-key.registry';
import { ServiceUnavailableError } from './service-call';

/** The outcome of a bearer JWT; a refusal says why in general terms, never quoting the token. */
export type JwtAuthentication = { ok: true; caller: Caller } | { ok: false; reason: string };

/** A JWT caller's `keyId`: one rate-limit budget and one audit name per user of the identity provider. */
export const JWT_PRINCIPAL_PREFIX = 'jwt:';

/** Why jose refused a token, by its error code, in words fit for the caller (never the token). */
const REFUSED_BY_CODE: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature does not verify',
  ERR_JWKS_NO_MATCHING_KEY: 'the token is not signed by a key of the identity provider',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token signing algorithm is not accepted',
  ERR_JOSE_NOT_SUPPORTED: 'the token signing algorithm is not accepted',
  ERR_JWS_INVALID: 'the token is not a well-formed signed JWT',
  ERR_JWT_INVALID: 'the token is not a well-formed signed JWT',
};

const REFUSED_CLAIM: Record<string, string> = {
  iss: 'the token is not issued by the configured identity provider',
  aud: 'the token is not meant for this gateway (audience)',
  nbf: 'the token is not valid yet',
  exp: 'the token has no valid expiry',
};

/** Failures of key resolution that are the token's doing; any other failure is the identity provider's. */
const TOKEN_KEY_FAULTS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS']);

/**
 * Verifies bearer JWTs against the identity provider's JWKS (jose: cached, refetched on an
 * unknown key id at most once per cooldown) and maps their claims to a caller. A token that
 * fails is `{ ok: false }` with a general reason; an identity provider that cannot be reached
 * (or serves no usable key set) throws `ServiceUnavailableError`, a 503: the caller's token may
 * be fine.
 */
@Injectable()
export class JwtVerifier {
  private readonly logger = new Logger(JwtVerifier.name);
  private readonly jwt?: {
    config: JwtConfig;
    keys: JWTVerifyGetKey;
    options: JWTVerifyOptions;
  };

  constructor(@InjectConfig() config: GatewayConfig) {
    if (!config.jwt) return;
    const remote = createRemoteJWKSet(new URL(config.jwt.jwksUrl), {
      cooldownDuration: config.jwt.jwksCooldownMs,
      timeoutDuration: config.api.serviceTimeoutMs,
    });
    this.jwt = {
      config: config.jwt,
      keys: (header, token) => this.resolveKey(remote, header, token),
      options: {
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        algorithms: config.jwt.algorithms,
        clockTolerance: config.jwt.clockToleranceS,
        requiredClaims: ['exp'],
      },
    };
  }

  /** Whether bearer tokens other than API keys are taken as JWTs. */
  get enabled(): boolean {
    return this.jwt !== undefined;
  }

  async authenticate(token: string): Promise<JwtAuthentication> {
    if (!this.jwt) return { ok: false, reason: 'JWT bearer tokens are not accepted here' };
    let payload: JWTPayload;
    try {
      payload = await this.verify(token, this.jwt.keys, this.jwt.options);
    } catch (err) {
      if ((err as Error)?.name === 'ServiceUnavailableError') throw err;
      return { ok: false, reason: refusalOf(err) };
    }
    const mapped = principalOfClaims(payload, this.jwt.config.claims);
    if (!mapped.ok) return { ok: false, reason: mapped.reason };
    const { tenantId, subject, roles } = mapped.principal;
    return {
      ok: true,
      caller: { keyId: `${JWT_PRINCIPAL_PREFIX}${subject}`, tenantId, subject, roles },
    };
  }

  private async verify(
    token: string,
    keys: JWTVerifyGetKey,
    options: JWTVerifyOptions,
  ): Promise<JWTPayload> {
    try {
      return (await jwtVerify(token, keys, options)).payload;
    } catch (err) {
      // A token without a key id, and several keys of its kind in the set (during a rotation):
      // jose hands back the candidates, and one of them must verify it.
      if (!isCode(err, 'ERR_JWKS_MULTIPLE_MATCHING_KEYS')) throw err;
      let last: unknown = err;
      for await (const key of err as AsyncIterable<KeyLike>) {
        try {
          return (await jwtVerify(token, key, options)).payload;
        } catch (e) {
          if (!isCode(e, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')) throw e;
          last = e;
        }
      }
      throw last;
    }
  }

  private async resolveKey(
    remote: JWTVerifyGetKey,
    ...args: Parameters<JWTVerifyGetKey>
  ): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> {
    try {
      return await remote(...args);
    } catch (err) {
      if (TOKEN_KEY_FAULTS.has(codeOf(err))) throw err;
      // Refused connection, timeout, not 200, not a key set: say so in the log, not to the caller.
      this.logger.warn(`the JWKS could not be loaded: ${(err as Error)?.message ?? String(err)}`);
      throw new ServiceUnavailableError('the identity provider is out of reach; try again later', {
        cause: err,
      });
    }
  }
}

function refusalOf(err: unknown): string {
  if (isCode(err, 'ERR_JWT_CLAIM_VALIDATION_FAILED')) {
    const claim = String((err as { claim?: unknown }).claim);
    return REFUSED_CLAIM[claim] ?? `the token's "${claim}" claim is not acceptable`;
  }
  return REFUSED_BY_CODE[codeOf(err)] ?? 'the token is not valid';
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function isCode(err: unknown, code: string): boolean {
  return codeOf(err) === code;
}

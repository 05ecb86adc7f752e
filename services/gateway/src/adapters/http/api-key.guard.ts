import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, type Authentication } from '../../application/api-key.registry';
import { JwtVerifier, type JwtAuthentication } from '../../application/jwt-verifier';
import { KEY_SCHEME } from '../../domain/api-key';
import { admits } from '../../domain/roles';
import { ROLES_METADATA, type AuthenticatedRequest } from './caller.decorator';

const REFUSED: Record<Extract<Authentication, { ok: false }>['reason'], string> = {
  unknown: 'the API key is not valid',
  revoked: 'the API key has been revoked',
  expired: 'the API key has expired',
};

/**
 * Authenticates `Authorization: Bearer tk_…` (or `X-API-Key: tk_…`) and checks the handler's
 * `@Roles`: no or a bad key is 401, a key without an admitted role 403. With JWT mode on, any
 * other bearer token is verified as a JWT of the identity provider (an unreachable one is 503).
 * Credentials are never logged or echoed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly registry: ApiKeyRegistry,
    private readonly jwt: JwtVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedKey(req.headers);
    if (presented === undefined)
      throw new UnauthorizedException(
        this.jwt.enabled
          ? 'credentials are required: send "Authorization: Bearer <API key or JWT>" or "X-API-Key: tk_…"'
          : 'an API key is required: send "Authorization: Bearer tk_…" or "X-API-Key: tk_…"',
      );
    const auth = this.isJwt(presented, req.headers)
      ? await this.jwt.authenticate(presented)
      : await this.registry.authenticate(presented).then(withReason);
    if (!auth.ok) throw new UnauthorizedException(auth.reason);
    req.caller = auth.caller;
    const required =
      this.reflector.getAllAndOverride<string[]>(ROLES_METADATA, [
        ctx.getHandler(),
        ctx.getClass(),
      ]) ?? [];
    if (!admits(required, auth.caller.roles))
      throw new ForbiddenException(`this needs one of the roles: ${required.join(', ')}`);
    return true;
  }

  /** A bearer token that is not shaped as an API key goes to the identity provider, if there is one. */
  private isJwt(presented: string, headers: AuthenticatedRequest['headers']): boolean {
    return (
      this.jwt.enabled &&
      typeof headers['authorization'] === 'string' &&
      presented !== '' &&
      !presented.startsWith(KEY_SCHEME)
    );
  }
}

function withReason(auth: Authentication): JwtAuthentication {
  return auth.ok ? auth : { ok: false, reason: REFUSED[auth.reason] };
}

/** The credential of a request: the bearer token, else the `X-API-Key` header; '' when a header is there but holds no key (it then fails as an invalid key). */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    return m ? m[1] : '';
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

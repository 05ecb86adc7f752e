import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, type Authentication } from '../../application/api-key.registry';
import { admits } from '../../domain/roles';
import { ROLES_METADATA, type AuthenticatedRequest } from './caller.decorator';

const REFUSED: Record<Extract<Authentication, { ok: false }>['reason'], string> = {
  unknown: 'the API key is not valid',
  revoked: 'the API key has been revoked',
  expired: 'the API key has expired',
};

/**
 * Authenticates `Authorization: Bearer tk_…` (or `X-API-Key: tk_…`) and checks the handler's
 * `@Roles`: no or a bad key is 401, a key without an admitted role 403. The key itself is never
 * logged or echoed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly registry: ApiKeyRegistry,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedKey(req.headers);
    if (presented === undefined)
      throw new UnauthorizedException(
        'an API key is required: send "Authorization: Bearer tk_…" or "X-API-Key: tk_…"',
      );
    const auth = await this.registry.authenticate(presented);
    if (!auth.ok) throw new UnauthorizedException(REFUSED[auth.reason]);
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

import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Caller } from '../../application/api-key.registry';
import type { Role } from '../../domain/roles';

export const ROLES_METADATA = 'tether:roles';

/** The roles a handler (or every handler of a controller) admits; a key needs one of them. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_METADATA, roles);

/** A request the API key guard let through, with the caller its key names. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  caller?: Caller;
}

/** The caller of an authenticated handler (set by `ApiKeyGuard`). */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  // Only reachable when a controller forgot the guard: fail closed.
  if (!caller) throw new Error('no caller on the request: is ApiKeyGuard applied?');
  return caller;
});

import { GLOBAL_CAP_TENANT, type SpendGroup, type SpendQuery } from '@tether/contracts';
import { Role } from './roles';
import { seesWholeTenant } from './run-access';

/** Roles that may read spend: a user their own, an operator or admin the whole tenant's. */
export const SPEND_ROLES: readonly Role[] = [Role.User, Role.Operator, Role.Admin];

/** Roles that may read and set the tenant's caps. */
export const CAP_ROLES: readonly Role[] = [Role.Operator, Role.Admin];

/** Groupings that would show other users' spend to a key that may see only its own. */
const TENANT_WIDE_GROUPS: readonly SpendGroup[] = ['user', 'tenant'];

export type Decision<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The spend query a caller may run: always in the caller's tenant; a key that does not see the
 * whole tenant only for its own user, and never grouped by user or tenant.
 */
export function spendQueryFor(
  caller: { tenantId: string; subject: string; roles: readonly string[] },
  requested: Omit<SpendQuery, 'tenantId'>,
): Decision<SpendQuery> {
  const query: SpendQuery = { ...requested, tenantId: caller.tenantId };
  if (seesWholeTenant(caller.roles)) return { ok: true, value: query };
  if (TENANT_WIDE_GROUPS.includes(requested.by))
    return {
      ok: false,
      reason: `only an operator or admin key may group spend by ${requested.by}; a user key sees its own spend by agent, model or day`,
    };
  if (requested.userId !== undefined && requested.userId !== caller.subject)
    return { ok: false, reason: "only an operator or admin key may read other users' spend" };
  return { ok: true, value: { ...query, userId: caller.subject } };
}

/**
 * The tenant a cap change is for: the caller's, or every tenant (`_all`) for a global cap, which
 * only an admin key may set.
 */
export function capTenantFor(
  caller: { tenantId: string; roles: readonly string[] },
  global: boolean,
): Decision<string> {
  if (!global) return { ok: true, value: caller.tenantId };
  if (!caller.roles.includes(Role.Admin))
    return { ok: false, reason: 'only an admin key may set a global cap' };
  return { ok: true, value: GLOBAL_CAP_TENANT };
}

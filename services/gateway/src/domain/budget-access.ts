import type { CapName, SetBudgetCap, SpendGroup, SpendQuery } from '@tether/contracts';
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

/** A cap change as an HTTP caller asks for it: who comes from the key, the tenant too. */
export interface CapChange {
  limitUsd: number | null;
  subject?: string;
  reason: string;
}

/**
 * The cap change a caller may ask the budget service for: always for the caller's own tenant, by
 * the caller's subject, whatever its roles. A key is a tenant's, so no key sets a global cap
 * (tenant `_all`): those are set on the bus (`tether budget set … --global`), like the kill
 * switches of every tenant, and a `global_*` cap asked for here is the budget service's to refuse.
 */
export function capChangeFor(
  caller: { tenantId: string; subject: string },
  cap: CapName,
  change: CapChange,
): SetBudgetCap {
  return {
    tenantId: caller.tenantId,
    cap,
    ...(change.subject !== undefined && { subject: change.subject }),
    limitUsd: change.limitUsd,
    by: caller.subject,
    reason: change.reason,
  };
}

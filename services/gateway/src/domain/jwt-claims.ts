import { ALL_TENANTS, isToken } from '@tether/contracts';
import { isRole, type Role } from './roles';

/** Which claims of a verified token name the tenant and the roles (`sub` is always the subject). */
export interface ClaimNames {
  /** A claim name, or a dotted path into nested objects (`org.tenant`). */
  tenant: string;
  /** A claim name or dotted path (`realm_access.roles`); an array of strings or a space-separated string. */
  roles: string;
}

/** Who a token names, in the gateway's terms. */
export interface TokenPrincipal {
  tenantId: string;
  subject: string;
  /** The known roles of the token; unknown ones are dropped, so this may be empty. */
  roles: Role[];
}

export type ClaimsMapping = { ok: true; principal: TokenPrincipal } | { ok: false; reason: string };

/** A user id as runs, approvals and API keys carry it: up to 128 characters, no white space. */
const SUBJECT_PATTERN = /^\S{1,128}$/;

/**
 * Maps the claims of a token whose signature, issuer, audience and lifetime were already checked
 * to a principal. A tenant must be named and be a subject-safe token (it becomes part of NATS
 * subjects and scopes every query); roles the gateway does not know are ignored, so a token with
 * none is still a caller, whom role-guarded routes then refuse (403).
 */
export function principalOfClaims(
  claims: Readonly<Record<string, unknown>>,
  names: ClaimNames,
): ClaimsMapping {
  const subject = claims.sub;
  if (subject === undefined) return refuse('the token has no "sub" claim');
  if (typeof subject !== 'string' || !SUBJECT_PATTERN.test(subject))
    return refuse('the token\'s "sub" claim is not a user id (1-128 characters, no white space)');

  const tenant = claimAt(claims, names.tenant);
  if (tenant === undefined) return refuse(`the token has no "${names.tenant}" claim (the tenant)`);
  if (!isToken(tenant) || tenant === ALL_TENANTS)
    return refuse(
      `the token's "${names.tenant}" claim is not a tenant id (1-64 letters, digits, "_" or "-")`,
    );

  return {
    ok: true,
    principal: { tenantId: tenant, subject, roles: rolesOf(claimAt(claims, names.roles)) },
  };
}

/**
 * The value of a claim: the claim of that exact name first (namespaced claims such as
 * `https://example.com/roles` contain dots), else the dotted path through nested objects.
 */
export function claimAt(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const step of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** The known roles of a roles claim: an array of strings or a space-separated string (OAuth `scope` style); anything else holds none. */
export function rolesOf(value: unknown): Role[] {
  const listed = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  return [...new Set(listed.filter(isRole))];
}

function refuse(reason: string): ClaimsMapping {
  return { ok: false, reason };
}

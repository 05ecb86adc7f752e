import { createHash } from 'node:crypto';
import { Role } from './roles';

/** Roles that see and steer every run of their tenant; anyone else sees only the runs they started. */
export const TENANT_WIDE_ROLES: readonly Role[] = [Role.Operator, Role.Admin];

/** Roles that may start runs, read runs and cancel them (their own, or any with a tenant-wide role). */
export const RUN_ROLES: readonly Role[] = [Role.User, Role.Operator, Role.Admin];

export function seesWholeTenant(roles: readonly string[]): boolean {
  return roles.some((r) => (TENANT_WIDE_ROLES as readonly string[]).includes(r));
}

/**
 * Whether a caller may see a run acting for `owner`. A run of someone else is answered exactly as
 * a run that does not exist (404), so a user cannot probe other users' run ids.
 */
export function maySee(
  caller: { subject: string; roles: readonly string[] },
  owner: string | null | undefined,
): boolean {
  return seesWholeTenant(caller.roles) || (owner != null && owner === caller.subject);
}

/**
 * The user a new run acts for: the caller, unless a tenant-wide caller (a back end with an
 * operator key) names the end user it starts the run for. A user naming someone else is refused.
 */
export function runUser(
  caller: { subject: string; roles: readonly string[] },
  requested: string | undefined,
): { ok: true; userId: string } | { ok: false; reason: string } {
  if (requested === undefined || requested === caller.subject)
    return { ok: true, userId: caller.subject };
  if (seesWholeTenant(caller.roles)) return { ok: true, userId: requested };
  return { ok: false, reason: 'only an operator or admin key may start a run for another user' };
}

/** `Idempotency-Key`: printable ASCII without spaces, as most clients send a UUID or a ULID. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** How long an `Idempotency-Key` names its run; after that the key may start a new one. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The fingerprint of a create request: the same key with another body is a client bug that must
 * be refused, not answered with a run that did something else. Keys are sorted, so the order of
 * a JSON object's properties does not matter.
 */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A `Last-Event-ID` (the `_EVT` sequence of the last event a client received), or undefined if absent; null if malformed. */
export function parseLastEventId(value: string | undefined): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  return /^[0-9]{1,15}$/.test(value) ? Number(value) : null;
}

/** One Server-Sent Events frame. `data` is JSON, so it holds no newline. */
export function sseFrame(id: number, event: string, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

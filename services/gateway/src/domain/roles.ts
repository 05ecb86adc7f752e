/**
 * Roles a key carries. They are not ranked: each handler names every role it admits, so an
 * `admin` reads the approval queue because the handler lists `admin`, not by inheritance.
 */
export const Role = {
  /** Manages the tenant's keys; may do anything an operator or approver may. */
  Admin: 'admin',
  /** Watches and steers runs: reads the approval queue, cancels runs. */
  Operator: 'operator',
  /** Decides approvals (never on a run they started: the approval service checks). */
  Approver: 'approver',
  /** Starts runs and follows their own. */
  User: 'user',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** Whether a caller holding `granted` may use a handler that admits `required` (none: any key). */
export function admits(required: readonly string[], granted: readonly string[]): boolean {
  return required.length === 0 || required.some((r) => granted.includes(r));
}

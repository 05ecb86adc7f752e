import { GLOBAL_CAP_TENANT, type CapName } from '@tether/contracts';
import { EVERY_SUBJECT } from './cap.selection';

export interface CapChange {
  tenantId: string;
  cap: CapName;
  subject?: string;
  /** null removes the cap. */
  limitUsd: number | null;
}

/** `numeric(18,8)`: limits are kept to the hundred-millionth of a dollar, below ten billion. */
export const MAX_CAP_USD = 1e10;

const isGlobal = (cap: CapName) => cap.startsWith('global_');
const isPerUser = (cap: CapName) => cap.startsWith('user_');

/** The subject a cap is stored under: a user id for `user_*` caps, `*` otherwise. */
export function capSubject(t: Pick<CapChange, 'subject'>): string {
  return t.subject ?? EVERY_SUBJECT;
}

/** A limit as it is stored: rounded to 8 decimals. */
export function capLimit(usd: number): number {
  return Number(usd.toFixed(8));
}

/**
 * Why a cap may not be set as asked (empty: it may). Global caps belong to `_all` alone, and
 * `_all` holds nothing per tenant or per user: a run cap there is the installation's ceiling.
 */
export function capChangeProblems(t: CapChange): string[] {
  const problems: string[] = [];
  if (t.limitUsd !== null && !(t.limitUsd < MAX_CAP_USD)) {
    problems.push(`limitUsd must be below ${MAX_CAP_USD}`);
  }
  const subject = capSubject(t);
  if (isPerUser(t.cap)) {
    if (!/\S/.test(subject)) problems.push(`${t.cap} needs a user id or "*" as subject`);
  } else if (subject !== EVERY_SUBJECT) {
    problems.push(`${t.cap} holds for everyone in its scope: its subject can only be "*"`);
  }
  if (isGlobal(t.cap) && t.tenantId !== GLOBAL_CAP_TENANT) {
    problems.push(`${t.cap} is set for tenant ${GLOBAL_CAP_TENANT} only`);
  }
  if (t.tenantId === GLOBAL_CAP_TENANT && !isGlobal(t.cap) && t.cap !== 'run') {
    problems.push(`tenant ${GLOBAL_CAP_TENANT} takes only global_* caps and run`);
  }
  return problems;
}

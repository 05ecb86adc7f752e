import { CAP_NAMES, GLOBAL_CAP_TENANT, type CapName } from '@tether/contracts';
import { counterOf, type Counter, type ReservationOwner } from './budget.counters';

/** A cap as stored: `subject` is a user id for `user_*` caps, `*` otherwise. */
export interface CapRow {
  tenantId: string;
  cap: CapName;
  subject: string;
  limitUsd: number;
}

/** Any user of the tenant; also the subject of every cap that is not per user. */
export const EVERY_SUBJECT = '*';

export interface ApplicableCap extends Counter {
  cap: CapName;
  limitUsd: number;
}

/** What cap selection needs of a reservation: its owner and the agent's own run limit. */
export interface CapRequest extends ReservationOwner {
  runCapUsd?: number;
}

function limitOf(rows: readonly CapRow[], tenantId: string, cap: CapName, subject: string) {
  return rows.find((r) => r.tenantId === tenantId && r.cap === cap && r.subject === subject)
    ?.limitUsd;
}

function lowest(...limits: (number | undefined)[]): number | undefined {
  const set = limits.filter((l): l is number => l !== undefined);
  return set.length ? Math.min(...set) : undefined;
}

function limitFor(cap: CapName, r: CapRequest, rows: readonly CapRow[]): number | undefined {
  switch (cap) {
    case 'run':
      // The agent's own limit never loosens an operator's, nor the other way round.
      return lowest(
        r.runCapUsd,
        limitOf(rows, r.tenantId, cap, EVERY_SUBJECT),
        limitOf(rows, GLOBAL_CAP_TENANT, cap, EVERY_SUBJECT),
      );
    case 'user_daily':
    case 'user_monthly':
      return (
        limitOf(rows, r.tenantId, cap, r.userId) ?? limitOf(rows, r.tenantId, cap, EVERY_SUBJECT)
      );
    case 'tenant_daily':
    case 'tenant_monthly':
      return limitOf(rows, r.tenantId, cap, EVERY_SUBJECT);
    case 'global_daily':
    case 'global_monthly':
      return limitOf(rows, GLOBAL_CAP_TENANT, cap, EVERY_SUBJECT);
    default: {
      const never: never = cap;
      throw new Error(`unknown cap ${String(never)}`);
    }
  }
}

/**
 * The caps a reservation is checked against, in `CAP_NAMES` order, each with the counter it
 * counts on. `rows` are the caps of the reservation's tenant and the global ones.
 */
export function applicableCaps(r: CapRequest, rows: readonly CapRow[]): ApplicableCap[] {
  const caps: ApplicableCap[] = [];
  for (const cap of CAP_NAMES) {
    const limitUsd = limitFor(cap, r, rows);
    if (limitUsd !== undefined) caps.push({ cap, limitUsd, ...counterOf(cap, r) });
  }
  return caps;
}

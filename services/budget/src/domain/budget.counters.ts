import type { CapName } from '@tether/contracts';
import { RUN_PERIOD, addDays, monthDays } from './budget.periods';

/** A running total of spend: one scope (a run, a user, a tenant, everything) in one period. */
export interface CounterRef {
  scope: string;
  period: string;
}

/** Which settled reservations a counter sums (absent fields: any). Days are a half-open range. */
export interface SettledFilter {
  tenantId?: string;
  userId?: string;
  runId?: string;
  fromDay?: string;
  beforeDay?: string;
}

export interface Counter extends CounterRef {
  filter: SettledFilter;
}

/** Who a reservation was made for and when: every counter it could belong to follows from it. */
export interface ReservationOwner {
  tenantId: string;
  userId: string;
  runId: string;
  day: string;
  month: string;
}

export const GLOBAL_SCOPE = 'global';

/** `scope|period`, as a reservation lists the counters it holds on. */
export function counterKey(ref: CounterRef): string {
  return `${ref.scope}|${ref.period}`;
}

/** The inverse of `counterKey`; periods never hold `|`, user ids might. */
export function parseCounterKey(key: string): CounterRef {
  const bar = key.lastIndexOf('|');
  return { scope: key.slice(0, bar), period: key.slice(bar + 1) };
}

function daily(day: string): Pick<SettledFilter, 'fromDay' | 'beforeDay'> {
  return { fromDay: day, beforeDay: addDays(day, 1) };
}

function monthly(month: string): Pick<SettledFilter, 'fromDay' | 'beforeDay'> {
  const { first, next } = monthDays(month);
  return { fromDay: first, beforeDay: next };
}

/** The counter a cap of `owner`'s reservation is checked against. */
export function counterOf(cap: CapName, o: ReservationOwner): Counter {
  const user = `user/${o.tenantId}/${o.userId}`;
  const tenant = `tenant/${o.tenantId}`;
  switch (cap) {
    case 'run':
      return {
        scope: `run/${o.tenantId}/${o.runId}`,
        period: RUN_PERIOD,
        filter: { tenantId: o.tenantId, runId: o.runId },
      };
    case 'user_daily':
      return {
        scope: user,
        period: o.day,
        filter: { tenantId: o.tenantId, userId: o.userId, ...daily(o.day) },
      };
    case 'user_monthly':
      return {
        scope: user,
        period: o.month,
        filter: { tenantId: o.tenantId, userId: o.userId, ...monthly(o.month) },
      };
    case 'tenant_daily':
      return { scope: tenant, period: o.day, filter: { tenantId: o.tenantId, ...daily(o.day) } };
    case 'tenant_monthly':
      return {
        scope: tenant,
        period: o.month,
        filter: { tenantId: o.tenantId, ...monthly(o.month) },
      };
    case 'global_daily':
      return { scope: GLOBAL_SCOPE, period: o.day, filter: daily(o.day) };
    case 'global_monthly':
      return { scope: GLOBAL_SCOPE, period: o.month, filter: monthly(o.month) };
    default: {
      const never: never = cap;
      throw new Error(`unknown cap ${String(never)}`);
    }
  }
}

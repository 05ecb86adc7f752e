import type { BudgetRefusal, BudgetWarningNotice } from '@tether/contracts';
import type { ApplicableCap } from './cap.selection';
import { nanosToUsd, toNanos } from './usd';

/** A cap with what its counter holds right now (read under lock). */
export interface CheckedCap extends ApplicableCap {
  /** Settled in the period. */
  spentUsd: number;
  /** Held by reservations not settled yet. */
  heldUsd: number;
}

/** A cap this reservation takes past the warning share; `scope` is where it is remembered as sent. */
export interface WarningCandidate extends BudgetWarningNotice {
  scope: string;
}

export type ReservationVerdict =
  | { granted: true; amountUsd: number; warnings: WarningCandidate[] }
  | { granted: false; refusal: BudgetRefusal };

/** Shares are compared as integers too, at a millionth. */
const SHARE_SCALE = 1_000_000n;

/**
 * Grants a reservation of `amountUsd` (undefined: the price is unknown) if it fits every cap.
 * Refuses naming the first cap, in order, it would take past its limit; reaching a limit exactly
 * is allowed. An unknown price fits no dollar cap. `warnShare` is the share of a limit from which
 * a granted reservation warns (0..1).
 */
export function decideReservation(
  caps: readonly CheckedCap[],
  amountUsd: number | undefined,
  warnShare: number,
): ReservationVerdict {
  if (caps.length === 0) return { granted: true, amountUsd: amountUsd ?? 0, warnings: [] };
  if (amountUsd === undefined) {
    const first = caps[0];
    return {
      granted: false,
      refusal: {
        cap: first.cap,
        period: first.period,
        limitUsd: first.limitUsd,
        spentUsd: nanosToUsd(toNanos(first.spentUsd) + toNanos(first.heldUsd)),
        reason: 'unpriced',
      },
    };
  }
  const amount = toNanos(amountUsd);
  const share = BigInt(Math.round(warnShare * Number(SHARE_SCALE)));
  const warnings: WarningCandidate[] = [];
  for (const c of caps) {
    const before = toNanos(c.spentUsd) + toNanos(c.heldUsd);
    const limit = toNanos(c.limitUsd);
    const after = before + amount;
    if (after > limit) {
      return {
        granted: false,
        refusal: {
          cap: c.cap,
          period: c.period,
          limitUsd: c.limitUsd,
          spentUsd: nanosToUsd(before),
          requestedUsd: nanosToUsd(amount),
          reason: 'cap_reached',
        },
      };
    }
    if (limit > 0n && after * SHARE_SCALE >= share * limit) {
      warnings.push({
        cap: c.cap,
        scope: c.scope,
        period: c.period,
        spentUsd: nanosToUsd(after),
        limitUsd: c.limitUsd,
        share: Number(after) / Number(limit),
      });
    }
  }
  return { granted: true, amountUsd: nanosToUsd(amount), warnings };
}

import { nanosToUsd, roundUsd, toNanos } from './usd';

export interface SpikeInput {
  /** Settled in the last hour. */
  lastHourUsd: number;
  /** Settled over the trailing window before that hour. */
  trailingUsd: number;
  /** Hours in the trailing window (7 days: 168). */
  trailingHours: number;
  /** How many times the hourly average counts as a spike. */
  multiple: number;
  /** Below this, an hour is never a spike (a quiet tenant's first dollar is not news). */
  minUsd: number;
}

export const TRAILING_DAYS = 7;

/**
 * The hourly baseline when the last hour is a spike, undefined otherwise. A tenant without
 * history has no baseline, so its first busy hour is not a spike.
 */
export function spikeOf(i: SpikeInput): { baselineHourlyUsd: number } | undefined {
  const trailing = toNanos(i.trailingUsd);
  if (trailing <= 0n || i.trailingHours <= 0) return undefined;
  const last = toNanos(i.lastHourUsd);
  if (last < toNanos(i.minUsd)) return undefined;
  // last > multiple × trailing / hours, kept in integers: last × hours > multiple × trailing.
  const multiple = BigInt(Math.round(i.multiple * 1000));
  if (last * BigInt(i.trailingHours) * 1000n <= multiple * trailing) return undefined;
  return { baselineHourlyUsd: roundUsd(nanosToUsd(trailing) / i.trailingHours) };
}

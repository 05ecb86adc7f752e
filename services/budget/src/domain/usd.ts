/**
 * Dollar amounts are compared and added in integer nano-dollars: sums of floats drift (0.1 + 0.2),
 * and a cap must not refuse the call that exactly reaches it.
 */
const NANOS_PER_USD = 1_000_000_000n;

export function toNanos(usd: number): bigint {
  return BigInt(Math.round(usd * 1e9));
}

export function nanosToUsd(nanos: bigint): number {
  return Number(nanos) / 1e9;
}

/** A dollar amount rounded to the nano-dollar, as answers carry them. */
export function roundUsd(usd: number): number {
  return nanosToUsd(toNanos(usd));
}

/** An exact decimal string for SQL `numeric` (no float on the way into Postgres). */
export function nanosToDecimal(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  const frac = (abs % NANOS_PER_USD).toString().padStart(9, '0');
  return `${sign}${abs / NANOS_PER_USD}.${frac}`;
}

/** A dollar amount as an exact decimal string, rounded to the nano-dollar. */
export function usdDecimal(usd: number): string {
  return nanosToDecimal(toNanos(usd));
}

/** Parses a `numeric` as Postgres prints it; digits past the ninth decimal are cut. */
export function decimalToNanos(text: string): bigint {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a decimal: ${text}`);
  const [, sign, whole, frac = ''] = match;
  const nanos = BigInt(whole || '0') * NANOS_PER_USD + BigInt(frac.slice(0, 9).padEnd(9, '0'));
  return sign ? -nanos : nanos;
}

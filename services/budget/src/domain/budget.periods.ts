/** A run cap holds for the whole run, whatever the date. */
export const RUN_PERIOD = 'run';

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The UTC month of an instant, `YYYY-MM`. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The periods a reservation made at `at` counts in. */
export interface Periods {
  day: string;
  month: string;
}

export function periodsOf(at: Date): Periods {
  return { day: dayOf(at), month: monthOf(at) };
}

/** `day` plus `n` days (negative goes back), `YYYY-MM-DD`. */
export function addDays(day: string, n: number): string {
  const at = new Date(`${day}T00:00:00.000Z`);
  at.setUTCDate(at.getUTCDate() + n);
  return dayOf(at);
}

/** The days of a month as a half-open range: first day, and first day of the next month. */
export function monthDays(month: string): { first: string; next: string } {
  const at = new Date(`${month}-01T00:00:00.000Z`);
  at.setUTCMonth(at.getUTCMonth() + 1);
  return { first: `${month}-01`, next: dayOf(at) };
}

/** The start of the UTC hour of an instant. */
export function hourOf(at: Date): Date {
  const hour = new Date(at);
  hour.setUTCMinutes(0, 0, 0);
  return hour;
}

/** `YYYY-MM-DDTHH`: the hour in ids. */
export function hourLabel(hour: Date): string {
  return hour.toISOString().slice(0, 13);
}

export const DEFAULT_SPEND_DAYS = 30;

/**
 * The days of a spend report: `to` defaults to today, `from` to 30 days before `to`.
 * Undefined when `from` comes after `to`.
 */
export function spendRange(
  today: string,
  from?: string,
  to?: string,
): { from: string; to: string } | undefined {
  const last = to ?? today;
  const first = from ?? addDays(last, -DEFAULT_SPEND_DAYS);
  return first <= last ? { from: first, to: last } : undefined;
}

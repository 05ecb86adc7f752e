/** What time it is; tests move it to cross days, months and hold expiries. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** Something operators should hear about: a warning, a refusal, a spike. */
export interface BudgetNotice {
  /** `budget.warning`, `budget.exceeded` or `budget.spike`. */
  type: string;
  tenantId: string;
  time: Date;
  title: string;
  fields: Record<string, string | number | boolean>;
  data: unknown;
}

/** Told of every notice; never fails nor holds up the caller. */
export interface BudgetNotifier {
  notify(notice: BudgetNotice): void;
}
export const NOTIFIER = Symbol('NOTIFIER');

export const silentNotifier: BudgetNotifier = { notify: () => undefined };

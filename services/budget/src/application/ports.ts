/** What time it is; tests move it to cross days and months. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** Something operators should hear about: a warning, a refusal. */
export interface BudgetNotice {
  /** `budget.warning` or `budget.exceeded`. */
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

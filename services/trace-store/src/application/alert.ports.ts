import type { AlertFired } from '@tether/contracts';

/** What time it is; tests set it to evaluate a window of their choosing. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** How a delivery to operators ended; `error` says why it did not arrive. */
export interface AlertDelivery {
  delivered: boolean;
  error?: string;
}

/** Tells operators of an alert already recorded on `_CTL` (the webhook); never throws. */
export interface AlertNotifier {
  /** false: nobody to tell, so a recorded alert needs nothing more. */
  readonly enabled: boolean;
  notify(alert: AlertFired): Promise<AlertDelivery>;
}
export const ALERT_NOTIFIER = Symbol('ALERT_NOTIFIER');

export const silentAlertNotifier: AlertNotifier = {
  enabled: false,
  notify: async () => ({ delivered: false }),
};

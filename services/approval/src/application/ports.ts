import type { ApprovalQueueItem } from '@tether/contracts';

/** The loaded agents (for re-validating edited arguments). */
export const AGENTS = Symbol('AGENTS');

/** Told of every new queue entry and every decision; never fails the caller. */
export interface ApprovalNotifier {
  notify(type: string, item: ApprovalQueueItem): void;
}
export const NOTIFIER = Symbol('NOTIFIER');

export const silentNotifier: ApprovalNotifier = { notify: () => undefined };

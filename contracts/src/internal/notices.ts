import { isTerminalType } from '../events/registry';
import type { TetherEvent } from '../events/envelope';

/**
 * The services that act on a few events of every run, not on the whole log. Each receives its
 * events as notices on `<P>.ntc.<audience>.<tenant>.<runId>` (stream `_NTC`), copied there by
 * the log's projector, instead of reading every event of the log to skip nearly all of them.
 */
export const NoticeAudience = {
  /** The budget ledger: who a run acts for, what it paid or released, and its end. */
  Budget: 'budget',
  /** The approval queue: what waits for a person, its outcome, and the end of its run. */
  Approval: 'approval',
} as const;
export type NoticeAudience = (typeof NoticeAudience)[keyof typeof NoticeAudience];

/**
 * What the approval queue is built from: its entries, their outcomes, and the ends of runs that
 * may leave an approval pending. A run completes only once nothing waits for a person (a model
 * is not asked again while a call waits for approval), so `run.completed` is not among them.
 */
export const APPROVAL_NOTICE_TYPES: ReadonlySet<string> = new Set<string>([
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'approval.expired',
  'review.requested',
  'tool.drafted',
  'run.failed',
  'run.aborted',
  'run.cancelled',
]);

/** Whether the ledger has anything to do with the event: money held, paid or released. */
function mattersToLedger(e: TetherEvent): boolean {
  switch (e.type) {
    case 'run.started':
    case 'tool.failed':
    case 'tool.denied':
      return true;
    case 'model.responded':
      return e.data.reservationId !== undefined || e.data.costUsd > 0;
    case 'model.failed':
      return e.data.reservationId !== undefined;
    case 'tool.completed':
      return e.data.reservationId !== undefined || (e.data.costUsd ?? 0) > 0;
    default:
      return isTerminalType(e.type);
  }
}

/** Who is sent a notice of this event; most events concern neither. */
export function noticeAudiences(e: TetherEvent): NoticeAudience[] {
  const to: NoticeAudience[] = [];
  if (mattersToLedger(e)) to.push(NoticeAudience.Budget);
  if (APPROVAL_NOTICE_TYPES.has(e.type)) to.push(NoticeAudience.Approval);
  return to;
}

import { Inject, Injectable } from '@nestjs/common';
import {
  APPROVAL_NOTICE_TYPES,
  ApprovalStatus,
  QueueKind,
  isTerminalType,
  type TetherEvent,
} from '@tether/contracts';
import { riskOfTier } from '@tether/run-domain';
import { ApprovalQueue, toItem, type NewEntry } from '../adapters/persistence/approval.queue';
import { NOTIFIER, type ApprovalNotifier } from './ports';

/** Reviews and drafts are looked at whenever someone gets to them: they do not expire. */
const NEVER = new Date('9999-12-31T00:00:00Z');

/** The event types the queue is built from (its notices); any other is skipped at once. */
export const QUEUE_EVENT_TYPES = APPROVAL_NOTICE_TYPES;

/**
 * Projects the run log into the approval queue. Idempotent, so replays and redeliveries are
 * harmless: an entry is inserted once (by its id), an outcome only settles an entry still waiting.
 */
@Injectable()
export class QueueProjectionHandler {
  constructor(
    private readonly queue: ApprovalQueue,
    @Inject(NOTIFIER) private readonly notifier: ApprovalNotifier,
  ) {}

  async handle(events: TetherEvent[]): Promise<void> {
    const entries: NewEntry[] = [];
    const ended: { tenantId: string; runId: string }[] = [];
    const settled: { approvalId: string; status: ApprovalStatus; at: Date }[] = [];
    for (const e of events) {
      switch (e.type) {
        case 'approval.requested': {
          const d = e.data;
          const ctx = d.context ?? {};
          entries.push({
            approvalId: d.approvalId,
            kind: QueueKind.Approval,
            tenantId: e.tenantId,
            runId: e.runId,
            callId: d.callId,
            agent: typeof ctx.agent === 'string' ? ctx.agent : '',
            tool: d.tool,
            tier: d.tier,
            risk: d.risk ?? riskOfTier(d.tier),
            args: d.args,
            requestedBy: d.requestedBy,
            context: ctx,
            status: ApprovalStatus.Pending,
            expiresAt: new Date(d.expiresAt),
            quorum: d.quorum,
            onExpiry: d.onExpiry ?? 'deny',
            createdAt: new Date(e.time),
          });
          break;
        }
        case 'review.requested':
        case 'tool.drafted': {
          const d = e.data;
          entries.push({
            approvalId: 'reviewId' in d ? d.reviewId : d.draftId,
            kind: e.type === 'review.requested' ? QueueKind.Review : QueueKind.Draft,
            tenantId: e.tenantId,
            runId: e.runId,
            callId: d.callId,
            agent: d.agent,
            tool: d.tool,
            tier: d.tier,
            risk: riskOfTier(d.tier),
            args: d.args,
            requestedBy: d.requestedBy,
            context: {},
            status: ApprovalStatus.Open,
            expiresAt: NEVER,
            quorum: 1,
            onExpiry: 'deny',
            createdAt: new Date(e.time),
          });
          break;
        }
        case 'approval.granted':
        case 'approval.denied':
        case 'approval.expired':
          settled.push({
            approvalId: e.data.approvalId,
            status:
              e.type === 'approval.granted'
                ? ApprovalStatus.Granted
                : e.type === 'approval.denied'
                  ? ApprovalStatus.Denied
                  : ApprovalStatus.Expired,
            at: new Date(e.time),
          });
          break;
        default:
          if (isTerminalType(e.type)) {
            ended.push({ tenantId: e.tenantId, runId: e.runId });
          }
      }
    }
    await this.queue.add(entries);
    await this.queue.settle(settled);
    await this.queue.cancelForRuns(ended, new Date());
    for (const entry of entries) {
      this.notifier.notify(
        `${entry.kind}.requested`,
        toItem({ ...entry, votes: [], editedArgs: null, decidedAt: null }),
      );
    }
  }
}

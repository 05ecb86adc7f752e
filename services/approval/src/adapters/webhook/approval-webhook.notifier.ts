import type { Logger } from 'pino';
import type { ApprovalQueueItem } from '@tether/contracts';
import { newId } from '@tether/event-store';
import type { WebhookSender } from '@tether/webhooks';
import type { ApprovalNotifier } from '../../application/ports';

/**
 * A signed webhook for every queue entry and decision. Sent in the background: a slow or absent
 * receiver never holds up a decision (delivery is retried by the sender, then logged as lost).
 */
export class WebhookApprovalNotifier implements ApprovalNotifier {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly sender: WebhookSender,
    private readonly logger: Logger,
  ) {}

  notify(type: string, item: ApprovalQueueItem): void {
    const votes = item.votes.filter((v) => v.decision === 'approve' && !v.superseded).length;
    const last = item.votes.at(-1);
    const delivery = this.sender
      .send({
        id: newId('whk'),
        type,
        tenantId: item.tenantId,
        time: new Date().toISOString(),
        title: `${type}: ${item.tool} (tier ${item.tier}, ${item.risk} risk) for ${item.requestedBy}`,
        fields: {
          approval: item.approvalId,
          run: item.runId,
          agent: item.agent,
          status: item.status,
          approvals: `${votes} of ${item.quorum}`,
          expires: item.expiresAt,
          ...(last && { 'decided by': last.approverId }),
        },
        data: item,
      })
      .then((r) => {
        if (!r.delivered)
          this.logger.warn(
            { type, approvalId: item.approvalId, error: r.error },
            'approval webhook not delivered',
          );
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Waits for deliveries under way (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

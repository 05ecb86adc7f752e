import { Inject, Injectable } from '@nestjs/common';
import { ApprovalStatus } from '@tether/contracts';
import { ApprovalBus } from '../adapters/nats/approval.bus';
import { ApprovalQueue, toItem } from '../adapters/persistence/approval.queue';
import { NOTIFIER, type ApprovalNotifier } from './ports';

const BATCH = 100;

/**
 * Expires approvals nobody decided in time: `approval.expired` on the run (with the agent's
 * choice, deny or escalate), then the run is resumed. Any number of instances sweep side by side;
 * a request is expired by one of them.
 */
@Injectable()
export class ApprovalExpiry {
  constructor(
    private readonly queue: ApprovalQueue,
    private readonly bus: ApprovalBus,
    @Inject(NOTIFIER) private readonly notifier: ApprovalNotifier,
  ) {}

  /** One pass; returns how many requests expired. */
  async sweep(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const expired: Parameters<typeof toItem>[0][] = [];
      const n = await this.queue.expireDue(now, BATCH, async (rows, tx) => {
        for (const row of rows) {
          await this.bus.appendOutcome(row.tenantId, row.runId, 'approval.expired', {
            approvalId: row.approvalId,
            callId: row.callId,
            action: row.onExpiry === 'escalate' ? 'escalate' : 'deny',
          });
          row.status = ApprovalStatus.Expired;
          row.decidedAt = now;
          await this.queue.save(tx, row);
          expired.push(row);
        }
      });
      for (const row of expired) {
        await this.bus.resume(row.tenantId, row.runId, row.approvalId, 'approval.expired');
        this.notifier.notify('approval.expired', toItem(row));
      }
      total += n;
      if (n < BATCH) return total;
    }
  }
}

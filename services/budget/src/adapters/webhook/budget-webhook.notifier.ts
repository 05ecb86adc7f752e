import type { Logger } from 'pino';
import { newId } from '@tether/event-store';
import type { WebhookSender } from '@tether/webhooks';
import type { BudgetNotice, BudgetNotifier } from '../../application/ports';

/**
 * A signed webhook for every warning, refusal and spike, sent in the background: a slow or absent
 * receiver never holds up a reservation (the sender retries, then the loss is logged).
 */
export class WebhookBudgetNotifier implements BudgetNotifier {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly sender: WebhookSender,
    private readonly logger: Logger,
  ) {}

  notify(notice: BudgetNotice): void {
    const delivery = this.sender
      .send({ id: newId('whk'), ...notice, time: notice.time.toISOString() })
      .then((r) => {
        if (!r.delivered)
          this.logger.warn(
            { type: notice.type, tenantId: notice.tenantId, error: r.error },
            'budget webhook not delivered',
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

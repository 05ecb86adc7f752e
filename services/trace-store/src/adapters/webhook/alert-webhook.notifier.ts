import type { AlertFired } from '@tether/contracts';
import type { WebhookMessage, WebhookSender } from '@tether/webhooks';
import type { AlertDelivery, AlertNotifier } from '../../application/alert.ports';

/** The alert as a signed webhook: the record itself as `data`, the key figures for people. */
export function alertMessage(a: AlertFired): WebhookMessage {
  return {
    id: a.id,
    type: a.type,
    tenantId: a.tenantId,
    time: a.time,
    title: `alert ${a.rule}: ${a.summary}`,
    fields: {
      rule: a.rule,
      agent: a.agent,
      ...(a.release !== undefined && { release: a.release }),
      observed: `${a.observed} ${a.unit}`,
      threshold: `${a.threshold} ${a.unit}`,
      sample: a.sampleSize,
      window: `${a.windowStart} – ${a.windowEnd}`,
    },
    data: a,
  };
}

export class WebhookAlertNotifier implements AlertNotifier {
  readonly enabled = true;

  constructor(private readonly sender: WebhookSender) {}

  async notify(alert: AlertFired): Promise<AlertDelivery> {
    const r = await this.sender.send(alertMessage(alert));
    return { delivered: r.delivered, ...(r.error !== undefined && { error: r.error }) };
  }
}

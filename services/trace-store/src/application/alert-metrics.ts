import { Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { AlertFired } from '@tether/contracts';
import { InjectMetrics } from '@tether/service-kit';

/**
 * `tether_alerts_fired_total{rule,kind}` on this instance's registry: counted by the instance
 * that recorded the alert on `_CTL`, so the sum over instances is the number of alerts. Rule
 * names are few (the operator's file); tenants and agents are not labels.
 */
@Injectable()
export class AlertMetrics {
  private readonly fired: Counter;

  constructor(@InjectMetrics() registry: Registry) {
    this.fired = new Counter({
      name: 'tether_alerts_fired_total',
      help: 'Alerts recorded on _CTL, by rule and kind',
      labelNames: ['rule', 'kind'],
      registers: [registry],
    });
  }

  recorded(alert: AlertFired): void {
    this.fired.inc({ rule: alert.rule, kind: alert.kind });
  }
}

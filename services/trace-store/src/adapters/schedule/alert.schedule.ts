import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectConfig, InjectLogger } from '@tether/service-kit';
import { AlertEvaluator } from '../../application/alert-evaluator';
import type { TraceStoreConfig } from '../../config';

/**
 * Evaluates the alert rules every `TETHER_ALERT_INTERVAL_MS`, counted from the end of the last
 * pass, so a slow pass is never overlapped by the next one. Every instance evaluates; the claims
 * in Postgres make each alert fire once.
 */
@Injectable()
export class AlertSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly evaluator: AlertEvaluator,
    @InjectConfig() private readonly config: TraceStoreConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const alerts = this.config.alerts;
    if (alerts && alerts.intervalMs > 0 && alerts.rules.length > 0)
      this.schedule(alerts.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
    await this.evaluator.drain();
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.pass = this.evaluator
        .evaluate()
        .then(
          () => undefined,
          (err: Error) => this.logger.warn({ err: err.message }, 'alert evaluation failed'),
        )
        .finally(() => {
          this.pass = undefined;
          if (!this.stopped) this.schedule(ms);
        });
    }, ms);
    this.timer.unref();
  }
}

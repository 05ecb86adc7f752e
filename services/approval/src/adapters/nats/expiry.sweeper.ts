import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectConfig, InjectLogger } from '@tether/service-kit';
import { ApprovalExpiry } from '../../application/approval-expiry';
import type { ApprovalConfig } from '../../config';

/** Sweeps for expired approvals every `TETHER_APPROVAL_SWEEP_MS`; a sweep never overlaps itself. */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly expiry: ApprovalExpiry,
    @InjectConfig() private readonly config: ApprovalConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.expiry
        .sweep()
        .then(() => undefined)
        .catch((err: Error) =>
          this.logger.warn({ err: err.message }, 'approval expiry sweep failed'),
        )
        .finally(() => (this.sweeping = undefined));
    }, this.config.sweepMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}

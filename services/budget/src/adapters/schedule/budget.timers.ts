import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectConfig, InjectLogger } from '@tether/service-kit';
import { HoldExpiry } from '../../application/hold-expiry';
import { SpikeCheck } from '../../application/spike-check';
import type { BudgetConfig } from '../../config';

interface Periodic {
  stop(): Promise<void>;
}

/** Runs `work` every `ms`; a run never overlaps the previous one, and a failure waits for the next. */
function every(ms: number, work: () => Promise<unknown>, onError: (err: Error) => void): Periodic {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= work()
      .then(() => undefined)
      .catch(onError)
      .finally(() => (running = undefined));
  }, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The budget's periodic work: releasing expired holds, looking for spend spikes. */
@Injectable()
export class BudgetTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly timers: Periodic[] = [];

  constructor(
    private readonly expiry: HoldExpiry,
    private readonly spikes: SpikeCheck,
    @InjectConfig() private readonly config: BudgetConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timers.push(
      every(
        this.config.sweepMs,
        () => this.expiry.sweep(),
        (err) => this.logger.warn({ err: err.message }, 'budget hold sweep failed'),
      ),
      every(
        this.config.spike.checkMs,
        () => this.spikes.checkSpikes(),
        (err) => this.logger.warn({ err: err.message }, 'budget spike check failed'),
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.timers.map((t) => t.stop()));
  }
}

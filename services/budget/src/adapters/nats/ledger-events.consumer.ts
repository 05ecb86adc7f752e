import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { NoticeAudience, consumerName } from '@tether/contracts';
import { NOTICE_POLL_MS, projectLog, type RunningConsumer } from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats, type BaseConfig } from '@tether/service-kit';
import { LedgerProjectionHandler } from '../../application/ledger-projection.handler';
import { LEDGER_EVENT_TYPES } from '../../domain/ledger.ops';
import { SERVICE } from '../../config';

/**
 * Feeds the ledger from its notices (`<P>.ntc.budget.>`: the events of the log that hold, pay or
 * release money, who each run acts for and its end, copied by the trace-store's projector), in
 * batches (durable `budget-ledger`, shared by every instance), each acked only once it is in the
 * ledger.
 */
@Injectable()
export class LedgerEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: RunningConsumer;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    private readonly ledger: LedgerProjectionHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = await projectLog(
      this.nc,
      {
        prefix: this.config.prefix,
        durable: consumerName(SERVICE, 'ledger'),
        ackWaitMs: this.config.ackWaitMs,
        name: 'the budget ledger',
        notices: NoticeAudience.Budget,
        pollMs: NOTICE_POLL_MS,
        types: LEDGER_EVENT_TYPES,
        // Money must not be lost with an instance that dies mid-batch; the ledger's operations
        // do not depend on order (a call that reports after its run's end still settles).
        order: 'tolerant',
        logger: this.logger,
      },
      (batch) => this.ledger.handle(batch.map((b) => b.event)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { consumerName, subjects } from '@tether/contracts';
import {
  consumeBatches,
  decodeBatch,
  ensureDurable,
  type DurableSpec,
  type RunningConsumer,
} from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats, type BaseConfig } from '@tether/service-kit';
import { LedgerProjectionHandler } from '../../application/ledger-projection.handler';
import { LEDGER_EVENT_TYPES } from '../../domain/ledger.ops';
import { SERVICE } from '../../config';

/**
 * Feeds the ledger from the run log (durable `budget-ledger`, shared by every instance), in
 * batches. Only the few types the ledger needs are decoded; the rest are skipped by header.
 */
@Injectable()
export class LedgerEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: RunningConsumer;
  private readonly spec: DurableSpec;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    private readonly ledger: LedgerProjectionHandler,
  ) {
    this.spec = {
      stream: 'evt',
      durable: consumerName(SERVICE, 'ledger'),
      filterSubject: subjects.allEvents(config.prefix),
      maxAckPending: 10_000,
      ackWaitMs: Math.max(config.ackWaitMs, 30_000),
      ackPolicy: 'all',
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureDurable(await this.nc.jetstreamManager(), this.config.prefix, this.spec);
    this.running = await consumeBatches(
      this.nc.jetstream(),
      this.config.prefix,
      this.spec,
      async (msgs) => {
        const batch = decodeBatch(
          msgs,
          (m, err) =>
            this.logger.error(
              { seq: m.seq, subject: m.subject, err: err.message },
              'skipping an event the budget ledger cannot read',
            ),
          (type) => LEDGER_EVENT_TYPES.has(type),
        );
        if (batch.length) await this.ledger.handle(batch.map((b) => b.event));
      },
      {
        maxBatch: 1000,
        maxDelayMs: 20,
        onError: (err) =>
          this.logger.warn(
            { err: (err as Error).message },
            'budget ledger batch failed; it will be retried',
          ),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

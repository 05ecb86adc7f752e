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
import { SERVICE } from '../../config';
import {
  QUEUE_EVENT_TYPES,
  QueueProjectionHandler,
} from '../../application/queue-projection.handler';

/**
 * Feeds the approval queue from the run log, in batches, from one durable shared by every
 * instance. The log's subjects say nothing of event types (NATS 2.9 filters one subject per
 * consumer), so every event arrives and all but the few the queue needs are skipped by header,
 * without being decoded.
 */
@Injectable()
export class QueueEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: RunningConsumer;
  private readonly spec: DurableSpec;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    private readonly project: QueueProjectionHandler,
  ) {
    this.spec = {
      stream: 'evt',
      durable: consumerName(SERVICE, 'queue'),
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
              'skipping an event the approval queue cannot read',
            ),
          (type) => QUEUE_EVENT_TYPES.has(type),
        );
        if (batch.length) await this.project.handle(batch.map((b) => b.event));
      },
      {
        maxBatch: 1000,
        maxDelayMs: 20,
        onError: (err) =>
          this.logger.warn(
            { err: (err as Error).message },
            'approval queue batch failed; it will be redelivered',
          ),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { consumerName } from '@tether/contracts';
import { projectLog, type RunningConsumer } from '@tether/event-store';
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

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    private readonly project: QueueProjectionHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = await projectLog(
      this.nc,
      {
        prefix: this.config.prefix,
        durable: consumerName(SERVICE, 'queue'),
        ackWaitMs: this.config.ackWaitMs,
        name: 'the approval queue',
        types: QUEUE_EVENT_TYPES,
        logger: this.logger,
      },
      (batch) => this.project.handle(batch.map((b) => b.event)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

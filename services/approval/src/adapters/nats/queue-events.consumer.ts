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
import { SERVICE } from '../../config';
import {
  QUEUE_EVENT_TYPES,
  QueueProjectionHandler,
} from '../../application/queue-projection.handler';

/**
 * Feeds the approval queue from its notices (`<P>.ntc.approval.>`: the approval, review and
 * draft events and the ends of runs, copied from the log by the trace-store's projector), in
 * batches, from one durable shared by every instance.
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
        notices: NoticeAudience.Approval,
        pollMs: NOTICE_POLL_MS,
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

import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { streamNames, subjects } from '@tether/contracts';
import {
  consumeBatches,
  decodeBatch,
  ensureDurable,
  isNotFound,
  type DurableSpec,
  type RunningConsumer,
} from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats, type BaseConfig } from '@tether/service-kit';
import { ProjectEventsHandler } from '../../application/project-events.handler';
import { LagWindow } from '../../domain/lag-window';

export const PROJECTOR_DURABLE = 'trace-store-projector';

/** Feeds every event of the log to the projection, in batches, from a durable shared by all instances. */
@Injectable()
export class ProjectorConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: RunningConsumer;
  /** Decision-to-commit delay of recent events, for `status` and the benchmark. */
  readonly lag = new LagWindow(20_000);
  private readonly spec: DurableSpec;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    private readonly project: ProjectEventsHandler,
  ) {
    this.spec = {
      stream: 'evt',
      durable: PROJECTOR_DURABLE,
      filterSubject: subjects.allEvents(config.prefix),
      maxAckPending: 10_000,
      // A batch may take a while under load; redelivering it early would only repeat work.
      ackWaitMs: Math.max(config.ackWaitMs, 30_000),
      ackPolicy: 'all',
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }

  async start(): Promise<void> {
    await ensureDurable(await this.nc.jetstreamManager(), this.config.prefix, this.spec);
    this.running = await consumeBatches(
      this.nc.jetstream(),
      this.config.prefix,
      this.spec,
      async (msgs) => {
        const batch = decodeBatch(msgs, (m, err) =>
          this.logger.error(
            { seq: m.seq, subject: m.subject, err: err.message },
            'skipping an event the projection cannot read',
          ),
        );
        await this.project.handle(batch);
        const now = Date.now();
        for (const b of batch) this.lag.record(now - Date.parse(b.event.time));
      },
      {
        maxBatch: 1000,
        maxDelayMs: 20,
        onError: (err) =>
          this.logger.warn(
            { err: (err as Error).message },
            'projection batch failed; it will be redelivered',
          ),
      },
    );
  }

  /** Drops the projection and replays the whole log. Returns the log's last sequence. */
  async rebuild(): Promise<number> {
    await this.running?.stop();
    const jsm = await this.nc.jetstreamManager();
    await jsm.consumers
      .delete(streamNames(this.config.prefix).evt, PROJECTOR_DURABLE)
      .catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    await this.project.truncate();
    await this.start();
    return this.lastLogSeq();
  }

  async lastLogSeq(): Promise<number> {
    const info = await (
      await this.nc.jetstreamManager()
    ).streams.info(streamNames(this.config.prefix).evt);
    return info.state.last_seq;
  }
}

import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { streamNames } from '@tether/contracts';
import { NoticeRouter, projectLog, removeDurable, type RunningConsumer } from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats, type BaseConfig } from '@tether/service-kit';
import { ProjectEventsHandler } from '../../application/project-events.handler';
import { LagWindow } from '../../domain/lag-window';

/**
 * Acks each event once projected (see `projectLog`'s `order`), so a batch an instance held when
 * it died comes back instead of being covered by another instance's ack; the projection does not
 * depend on arrival order (rows are keyed by sequence, run summaries follow the highest one).
 */
export const PROJECTOR_DURABLE = 'trace-store-projection';
/** The durable of earlier versions, acked once per batch; removed at start (ack policy is fixed). */
const LEGACY_DURABLE = 'trace-store-projector';

/**
 * Feeds every event of the log to the projection, in batches, from a durable shared by all
 * instances. Being the one reader of the whole log, it also copies the few events other services
 * act on into their notices (`NoticeRouter`), while projecting them: a batch that fails either
 * is forwarded again, which stores nothing new.
 */
@Injectable()
export class ProjectorConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: RunningConsumer;
  /** Decision-to-commit delay of recent events, for `status` and the benchmark. */
  readonly lag = new LagWindow(20_000);
  private readonly router: NoticeRouter;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    private readonly project: ProjectEventsHandler,
  ) {
    this.router = new NoticeRouter(nc, config.prefix);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.deleteDurable(LEGACY_DURABLE);
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }

  async start(): Promise<void> {
    this.running = await projectLog(
      this.nc,
      {
        prefix: this.config.prefix,
        durable: PROJECTOR_DURABLE,
        ackWaitMs: this.config.ackWaitMs,
        name: 'the projection',
        order: 'tolerant',
        logger: this.logger,
      },
      async (batch) => {
        // Events up to the checkpoint a rebuild truncated had their notices sent then.
        const through = this.project.replayedThrough;
        // Side by side, and the batch is acked only once both are done: either failing sends
        // the batch round again, which stores no notice and projects no row twice.
        const done = await Promise.allSettled([
          this.router.forward(through ? batch.filter((b) => b.seq > through) : batch),
          this.project.handle(batch),
        ]);
        for (const d of done) if (d.status === 'rejected') throw d.reason;
        const now = Date.now();
        for (const b of batch) this.lag.record(now - Date.parse(b.event.time));
      },
    );
  }

  /** Drops the projection and replays the whole log. Returns the log's last sequence. */
  async rebuild(): Promise<number> {
    await this.running?.stop();
    await this.deleteDurable(PROJECTOR_DURABLE);
    await this.project.truncate();
    await this.start();
    return this.lastLogSeq();
  }

  private async deleteDurable(name: string): Promise<void> {
    await removeDurable(await this.nc.jetstreamManager(), this.config.prefix, 'evt', name);
  }

  async lastLogSeq(): Promise<number> {
    const info = await (
      await this.nc.jetstreamManager()
    ).streams.info(streamNames(this.config.prefix).evt);
    return info.state.last_seq;
  }
}

import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { CommandName, consumerName, subjects } from '@tether/contracts';
import { ensureDurable, type DurableSpec } from '@tether/event-store';
import { InjectConfig, InjectNats, type BaseConfig } from '@tether/service-kit';
import { SERVICE } from '../../config';

export function approvalDecisionsSpec(config: BaseConfig): DurableSpec {
  return {
    stream: 'cmd',
    durable: consumerName(SERVICE, 'decisions'),
    filterSubject: subjects.commandFilter(config.prefix, CommandName.ApprovalDecide),
    ackWaitMs: config.ackWaitMs,
  };
}

/**
 * Creates the `approval-decisions` durable on `<P>.cmd.*.approval.decide` but does not pull from
 * it. Consuming without a handler would ack (and so lose) every decision; created now, the durable
 * keeps each decision published from today until the approval capability reads it.
 */
@Injectable()
export class ApprovalDecisionsProvisioner implements OnApplicationBootstrap {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureDurable(
      await this.nc.jetstreamManager(),
      this.config.prefix,
      approvalDecisionsSpec(this.config),
    );
  }
}

import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { Logger } from 'pino';
import { loadAgents, type AgentRegistry } from '@tether/agents';
import { CommandName, consumerName, subjects } from '@tether/contracts';
import { CommandRejections, LOGGER, type ServiceDefinition } from '@tether/service-kit';
import { ApprovalBus } from './adapters/nats/approval.bus';
import { ApprovalController } from './adapters/nats/approval.controller';
import { ExpirySweeper } from './adapters/nats/expiry.sweeper';
import { QueueEventsConsumer } from './adapters/nats/queue-events.consumer';
import { ApprovalQueue } from './adapters/persistence/approval.queue';
import { ApprovalRequestEntity } from './adapters/persistence/approval-request.entity';
import { ApprovalTables1763700000010 } from './adapters/persistence/migrations/1763700000010-approval-tables';
import { ApprovalQueue1763900000010 } from './adapters/persistence/migrations/1763900000010-approval-queue';
import { WebhookApprovalNotifier } from './adapters/webhook/approval-webhook.notifier';
import { ApprovalDecisions } from './application/approval-decisions';
import { ApprovalExpiry } from './application/approval-expiry';
import { AGENTS, NOTIFIER, silentNotifier, type ApprovalNotifier } from './application/ports';
import { QueueProjectionHandler } from './application/queue-projection.handler';
import { SERVICE, type ApprovalConfig } from './config';

export interface ApprovalPorts {
  agents?: AgentRegistry;
}

class NotifierDrain implements OnApplicationShutdown {
  constructor(@Inject(NOTIFIER) private readonly notifier: ApprovalNotifier) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.notifier instanceof WebhookApprovalNotifier) await this.notifier.drain();
  }
}

@Module({})
export class ApprovalModule {
  static register(config: ApprovalConfig, ports: ApprovalPorts = {}): DynamicModule {
    return {
      module: ApprovalModule,
      controllers: [ApprovalController],
      providers: [
        { provide: AGENTS, useValue: ports.agents ?? loadAgents(config.agentsDir) },
        {
          provide: NOTIFIER,
          useFactory: (logger: Logger) =>
            config.webhook ? new WebhookApprovalNotifier(config.webhook, logger) : silentNotifier,
          inject: [LOGGER],
        },
        NotifierDrain,
        CommandRejections,
        ApprovalQueue,
        ApprovalBus,
        ApprovalDecisions,
        ApprovalExpiry,
        QueueProjectionHandler,
        QueueEventsConsumer,
        ExpirySweeper,
      ],
    };
  }
}

export function approvalService(
  config: ApprovalConfig,
  ports: ApprovalPorts = {},
): ServiceDefinition {
  return {
    config,
    module: ApprovalModule.register(config, ports),
    entities: [ApprovalRequestEntity],
    migrations: [ApprovalTables1763700000010, ApprovalQueue1763900000010],
    consumers: [
      {
        spec: {
          stream: 'cmd',
          durable: consumerName(SERVICE, 'decisions'),
          filterSubject: subjects.commandFilter(config.prefix, CommandName.ApprovalDecide),
          ackWaitMs: config.ackWaitMs,
        },
        patternOf: () => CommandName.ApprovalDecide,
        concurrency: 16,
      },
    ],
  };
}

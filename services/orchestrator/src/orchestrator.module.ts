import { Module, type DynamicModule } from '@nestjs/common';
import { loadAgents, type AgentRegistry } from '@tether/agents';
import { consumerName, parseCommandSubject, subjects } from '@tether/contracts';
import { createModelRouter, type ModelRouter } from '@tether/models';
import type { ServiceDefinition } from '@tether/service-kit';
import { RunCommandsController } from './adapters/nats/run-commands.controller';
import { CancelRunHandler } from './application/cancel-run.handler';
import { CommandRejections } from './application/command-rejections';
import { AGENTS, CLOCK, MODELS, systemClock, type Clock } from './application/ports';
import { RunDriver } from './application/run.driver';
import { RunRepository } from './application/run.repository';
import { StartRunHandler } from './application/start-run.handler';
import { SERVICE, type OrchestratorConfig } from './config';

export interface OrchestratorPorts {
  agents?: AgentRegistry;
  models?: ModelRouter;
  clock?: Clock;
}

@Module({})
export class OrchestratorModule {
  static register(config: OrchestratorConfig, ports: OrchestratorPorts = {}): DynamicModule {
    return {
      module: OrchestratorModule,
      controllers: [RunCommandsController],
      providers: [
        { provide: AGENTS, useValue: ports.agents ?? loadAgents(config.agentsDir) },
        { provide: MODELS, useValue: ports.models ?? createModelRouter() },
        { provide: CLOCK, useValue: ports.clock ?? systemClock },
        RunRepository,
        RunDriver,
        StartRunHandler,
        CancelRunHandler,
        CommandRejections,
      ],
    };
  }
}

export function orchestratorService(
  config: OrchestratorConfig,
  ports: OrchestratorPorts = {},
): ServiceDefinition {
  return {
    config,
    module: OrchestratorModule.register(config, ports),
    consumers: [
      {
        spec: {
          stream: 'cmd',
          durable: consumerName(SERVICE, 'commands'),
          filterSubject: subjects.commandFilter(config.prefix, 'run.>'),
          ackWaitMs: config.ackWaitMs,
          maxAckPending: config.concurrency * 4,
        },
        // The pattern is the command name after the tenant: `run.start`, `run.cancel`.
        patternOf: (msg) => parseCommandSubject(config.prefix, msg.subject)?.command ?? '',
        concurrency: config.concurrency,
      },
    ],
  };
}

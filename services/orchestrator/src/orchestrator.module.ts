import { Module, type DynamicModule } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import { loadAgents, type AgentRegistry } from '@tether/agents';
import { TIMER, consumerName, parseCommandSubject, subjects } from '@tether/contracts';
import {
  createModelCallGuard,
  createModelRouter,
  createProviders,
  type ModelRouter,
} from '@tether/models';
import { RunCommandsController } from './adapters/nats/run-commands.controller';
import { tracedModels } from './adapters/telemetry/traced-model.router';
import { CancelRunHandler } from './application/cancel-run.handler';
import { ResumeRunHandler } from './application/resume-run.handler';
import { CommandRejections, TRACER, type ServiceDefinition } from '@tether/service-kit';
import { AGENTS, BUDGET, CLOCK, MODELS, systemClock, type Clock } from './application/ports';
import { NatsBudgetClient } from './adapters/nats/budget.client';
import { RunDeadlineHandler } from './application/run-deadline.handler';
import { RunDriver } from './application/run.driver';
import { RunRepository } from './application/run.repository';
import { InputClassifier } from './application/input-classifier';
import { StartRunHandler } from './application/start-run.handler';
import { SERVICE, type OrchestratorConfig } from './config';

export interface OrchestratorPorts {
  agents?: AgentRegistry;
  models?: ModelRouter;
  clock?: Clock;
}

/** The real providers, each call through a timeout and a circuit breaker per provider and model. */
function guardedModels(config: OrchestratorConfig): ModelRouter {
  const keys = config.providerKeys;
  const router = createModelRouter(
    createProviders({
      openaiApiKey: keys.openai,
      anthropicApiKey: keys.anthropic,
      openaiCompatibleApiKey: keys.openaiCompatible,
      openaiBaseUrl: config.providerUrls.openai,
      anthropicBaseUrl: config.providerUrls.anthropic,
    }),
  );
  const guard = createModelCallGuard({ timeoutMs: config.modelTimeoutMs });
  return {
    providers: () => router.providers(),
    complete: (request, signal) =>
      guard.call(request, { name: request.model.provider, complete: router.complete }, signal),
  };
}

@Module({})
export class OrchestratorModule {
  static register(config: OrchestratorConfig, ports: OrchestratorPorts = {}): DynamicModule {
    return {
      module: OrchestratorModule,
      controllers: [RunCommandsController],
      providers: [
        { provide: AGENTS, useValue: ports.agents ?? loadAgents(config.agentsDir) },
        {
          provide: MODELS,
          useFactory: (tracer: Tracer) =>
            tracedModels(ports.models ?? guardedModels(config), tracer),
          inject: [TRACER],
        },
        { provide: CLOCK, useValue: ports.clock ?? systemClock },
        { provide: BUDGET, useClass: NatsBudgetClient },
        RunRepository,
        RunDriver,
        StartRunHandler,
        InputClassifier,
        CancelRunHandler,
        ResumeRunHandler,
        CommandRejections,
        RunDeadlineHandler,
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
      {
        // Deadlines wait here until due (nak with delay), one per active run: their own durable,
        // so thousands of parked runs never hold back new run commands.
        spec: {
          stream: 'cmd',
          durable: consumerName(SERVICE, 'timers'),
          filterSubject: subjects.commandFilter(config.prefix, TIMER.deadline),
          ackWaitMs: config.ackWaitMs,
          maxDeliver: -1,
          maxAckPending: 100_000,
        },
        patternOf: () => TIMER.deadline,
        concurrency: 256,
      },
    ],
  };
}

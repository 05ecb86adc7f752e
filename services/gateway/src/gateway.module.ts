import { Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ServiceDefinition } from '@tether/service-kit';
import { ApiKeyGuard } from './adapters/http/api-key.guard';
import { ApprovalsController } from './adapters/http/approvals.controller';
import { BudgetController } from './adapters/http/budget.controller';
import { configureHttp } from './adapters/http/http.setup';
import { KeyThrottlerGuard } from './adapters/http/key-throttler.guard';
import { KeysController } from './adapters/http/keys.controller';
import { RunsController } from './adapters/http/runs.controller';
import { SwitchesController } from './adapters/http/switches.controller';
import { KeyAdminController } from './adapters/nats/key-admin.controller';
import { ApiKeyEntity } from './adapters/persistence/api-key.entity';
import { ApiKeys1764000000000 } from './adapters/persistence/migrations/1764000000000-api-keys';
import { RunRequests1764100000000 } from './adapters/persistence/migrations/1764100000000-run-requests';
import { RunRequestEntity } from './adapters/persistence/run-request.entity';
import { ApiKeyRegistry } from './application/api-key.registry';
import { ApprovalQueueClient } from './application/approval-queue.client';
import { BudgetServiceClient } from './application/budget-service.client';
import { RunEventStreams } from './application/run-event-streams';
import { RunIntake } from './application/run-intake';
import { RunReader } from './application/run-reader';
import { ToolSwitchBoard } from './application/tool-switch-board';
import { JwtVerifier } from './application/jwt-verifier';
import type { GatewayConfig } from './config';

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    const { limit, windowMs } = config.api.rateLimit;
    return {
      module: GatewayModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ limit, ttl: windowMs }],
          // One budget per key across every route (the default counts each route apart).
          generateKey: (_ctx, tracker, name) => `${name}:${tracker}`,
          errorMessage: `rate limit exceeded: ${limit} requests per ${windowMs / 1000} s for one API key`,
        }),
      ],
      controllers: [
        KeysController,
        ApprovalsController,
        RunsController,
        SwitchesController,
        BudgetController,
        KeyAdminController,
      ],
      providers: [
        ApiKeyRegistry,
        ApprovalQueueClient,
        RunReader,
        RunIntake,
        RunEventStreams,
        ToolSwitchBoard,
        BudgetServiceClient,
        JwtVerifier,
        ApiKeyGuard,
        KeyThrottlerGuard,
      ],
    };
  }
}

export function gatewayService(config: GatewayConfig): ServiceDefinition {
  return {
    config,
    module: GatewayModule.register(config),
    entities: [ApiKeyEntity, RunRequestEntity],
    migrations: [ApiKeys1764000000000, RunRequests1764100000000],
    configureApp: (app) => configureHttp(app, config),
  };
}

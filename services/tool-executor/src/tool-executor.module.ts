import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadAgents, type AgentRegistry } from '@tether/agents';
import type { ServiceDefinition } from '@tether/service-kit';
import { killSwitchProviders } from './adapters/nats/kill-switch.watcher';
import { ToolExecutionController } from './adapters/nats/tool-execution.controller';
import { EnvSecretStore, SecretStore } from './adapters/secrets/secret.store';
import { SupportDesk1763700000001 } from './adapters/persistence/migrations/1763700000001-support-desk';
import { ExecuteToolHandler } from './application/execute-tool.handler';
import { PgRateLimiter } from './adapters/persistence/pg-rate-limiter';
import { ToolRateWindows1763800000002 } from './adapters/persistence/migrations/1763800000002-tool-rate-windows';
import { AGENTS, RATE_LIMITER, TOOL_SOURCES, type ToolSource } from './application/ports';
import { ToolInvoker, type InvokerOptions } from './application/tool-invoker';
import { ToolResolver } from './application/tool-resolver';
import type { ToolExecutorConfig } from './config';
import type { ToolPack } from './domain/tool-handler';
import { builtinPack } from './packs/builtin/builtin.pack';
import { supportDeskPack } from './packs/support-desk/support-desk.pack';
import { HttpSource } from './sources/http.source';
import { McpSource } from './sources/mcp.source';
import { NatsSource } from './sources/nats.source';
import { PackSource } from './sources/pack.source';

export interface ToolExecutorPorts {
  agents?: AgentRegistry;
  /** Extra packs (tests, embedding applications). */
  packs?: ToolPack[];
  /** Circuit breaker and retry settings (defaults: DEFAULT_INVOKER_OPTIONS). */
  invoker?: InvokerOptions;
  /** Named secrets of tool sources; by default `TETHER_SECRET_<NAME>` and `TETHER_SECRETS_DIR`. */
  secrets?: SecretStore;
}

@Module({})
export class ToolExecutorModule {
  static register(config: ToolExecutorConfig, ports: ToolExecutorPorts = {}): DynamicModule {
    return {
      module: ToolExecutorModule,
      controllers: [ToolExecutionController],
      providers: [
        { provide: AGENTS, useValue: ports.agents ?? loadAgents(config.agentsDir) },
        { provide: SecretStore, useValue: ports.secrets ?? new EnvSecretStore(config.secrets) },
        HttpSource,
        NatsSource,
        {
          provide: PackSource,
          useFactory: (db: DataSource) =>
            new PackSource([
              builtinPack,
              supportDeskPack(db, { carrierApiUrl: config.carrierApiUrl }),
              ...(ports.packs ?? []),
            ]),
          inject: [getDataSourceToken()],
        },
        McpSource,
        {
          provide: TOOL_SOURCES,
          // Sources that serve tools by a field of their spec (http, nats, mcp) come before the packs.
          useFactory: (...sources: ToolSource[]) => sources,
          inject: [HttpSource, NatsSource, McpSource, PackSource],
        },
        ...killSwitchProviders,
        { provide: RATE_LIMITER, useClass: PgRateLimiter },
        { provide: ToolInvoker, useValue: new ToolInvoker(ports.invoker) },
        ToolResolver,
        ExecuteToolHandler,
      ],
    };
  }
}

export function toolExecutorService(
  config: ToolExecutorConfig,
  ports: ToolExecutorPorts = {},
): ServiceDefinition {
  return {
    config,
    module: ToolExecutorModule.register(config, ports),
    migrations: [SupportDesk1763700000001, ToolRateWindows1763800000002],
  };
}

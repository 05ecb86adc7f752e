import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadAgents, type AgentRegistry } from '@tether/agents';
import type { ServiceDefinition } from '@tether/service-kit';
import { ToolExecutionController } from './adapters/nats/tool-execution.controller';
import { SupportDesk1763700000001 } from './adapters/persistence/migrations/1763700000001-support-desk';
import { ExecuteToolHandler } from './application/execute-tool.handler';
import { AGENTS, TOOL_REGISTRY } from './application/ports';
import type { ToolExecutorConfig } from './config';
import type { ToolHandler, ToolPack } from './domain/tool-handler';
import { builtinPack } from './packs/builtin/builtin.pack';
import { supportDeskPack } from './packs/support-desk/support-desk.pack';

export interface ToolExecutorPorts {
  agents?: AgentRegistry;
  /** Extra packs (tests, embedding applications). */
  packs?: ToolPack[];
}

function registryOf(packs: ToolPack[]): Map<string, ToolHandler> {
  const tools = new Map<string, ToolHandler>();
  for (const pack of packs) {
    for (const [name, handler] of Object.entries(pack.tools)) {
      if (tools.has(name))
        throw new Error(`tool ${name} is served by two packs (the second is ${pack.name})`);
      tools.set(name, handler);
    }
  }
  return tools;
}

@Module({})
export class ToolExecutorModule {
  static register(config: ToolExecutorConfig, ports: ToolExecutorPorts = {}): DynamicModule {
    return {
      module: ToolExecutorModule,
      controllers: [ToolExecutionController],
      providers: [
        { provide: AGENTS, useValue: ports.agents ?? loadAgents(config.agentsDir) },
        {
          provide: TOOL_REGISTRY,
          useFactory: (db: DataSource) =>
            registryOf([
              builtinPack,
              supportDeskPack(db, { carrierApiUrl: config.carrierApiUrl }),
              ...(ports.packs ?? []),
            ]),
          inject: [getDataSourceToken()],
        },
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
    migrations: [SupportDesk1763700000001],
  };
}

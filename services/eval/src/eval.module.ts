import { Module } from '@nestjs/common';
import type { BaseConfig, ServiceDefinition } from '@tether/service-kit';
import { EvalRunEntity } from './adapters/persistence/eval-run.entity';
import { EvalSuiteEntity } from './adapters/persistence/eval-suite.entity';
import { EvalTables1763700000030 } from './adapters/persistence/migrations/1763700000030-eval-tables';

@Module({})
export class EvalModule {}

export function evalService(config: BaseConfig): ServiceDefinition {
  return {
    config,
    module: EvalModule,
    entities: [EvalSuiteEntity, EvalRunEntity],
    migrations: [EvalTables1763700000030],
  };
}

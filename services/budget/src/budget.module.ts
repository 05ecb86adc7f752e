import { Module } from '@nestjs/common';
import type { BaseConfig, ServiceDefinition } from '@tether/service-kit';
import { BudgetCapEntity } from './adapters/persistence/budget-cap.entity';
import { BudgetLedgerEntity } from './adapters/persistence/budget-ledger.entity';
import { BudgetTables1763700000020 } from './adapters/persistence/migrations/1763700000020-budget-tables';

@Module({})
export class BudgetModule {}

export function budgetService(config: BaseConfig): ServiceDefinition {
  return {
    config,
    module: BudgetModule,
    entities: [BudgetLedgerEntity, BudgetCapEntity],
    migrations: [BudgetTables1763700000020],
  };
}

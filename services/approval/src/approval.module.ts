import { Module } from '@nestjs/common';
import type { BaseConfig, ServiceDefinition } from '@tether/service-kit';
import { ApprovalDecisionsProvisioner } from './adapters/nats/approval-decisions.provisioner';
import { ApprovalRequestEntity } from './adapters/persistence/approval-request.entity';
import { ApprovalTables1763700000010 } from './adapters/persistence/migrations/1763700000010-approval-tables';

@Module({
  providers: [ApprovalDecisionsProvisioner],
})
export class ApprovalModule {}

export function approvalService(config: BaseConfig): ServiceDefinition {
  return {
    config,
    module: ApprovalModule,
    entities: [ApprovalRequestEntity],
    migrations: [ApprovalTables1763700000010],
    // No `consumers` yet: see ApprovalDecisionsProvisioner.
  };
}

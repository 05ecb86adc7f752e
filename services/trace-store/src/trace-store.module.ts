import { Module } from '@nestjs/common';
import { ProjectorConsumer } from './adapters/nats/projector.consumer';
import { TraceQueryController } from './adapters/nats/trace-query.controller';
import { ProjectionCheckpointEntity } from './adapters/persistence/projection-checkpoint.entity';
import { TraceEventEntity } from './adapters/persistence/trace-event.entity';
import { TraceRunEntity } from './adapters/persistence/trace-run.entity';
import { RunQueries } from './adapters/persistence/run.queries';
import { TraceTables1763700000000 } from './adapters/persistence/migrations/1763700000000-trace-tables';
import { RunList1764100000000 } from './adapters/persistence/migrations/1764100000000-run-list';
import { RunDetails1764300000000 } from './adapters/persistence/migrations/1764300000000-run-details';
import { ProjectEventsHandler } from './application/project-events.handler';
import { RunMetrics } from './application/run-metrics';
import type { ServiceDefinition } from '@tether/service-kit';
import type { BaseConfig } from '@tether/service-kit';

@Module({
  controllers: [TraceQueryController],
  providers: [ProjectEventsHandler, ProjectorConsumer, RunQueries, RunMetrics],
})
export class TraceStoreModule {}

export function traceStoreService(config: BaseConfig): ServiceDefinition {
  return {
    config,
    module: TraceStoreModule,
    entities: [TraceEventEntity, TraceRunEntity, ProjectionCheckpointEntity],
    migrations: [TraceTables1763700000000, RunList1764100000000, RunDetails1764300000000],
  };
}

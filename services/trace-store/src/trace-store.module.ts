import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceDefinition } from '@tether/service-kit';
import { AlertControlBus } from './adapters/nats/alert-control.bus';
import { ProjectorConsumer } from './adapters/nats/projector.consumer';
import { TraceQueryController } from './adapters/nats/trace-query.controller';
import { AlertClaims } from './adapters/persistence/alert-claims.sql';
import { AlertMeasures } from './adapters/persistence/alert-measures.sql';
import { ProjectionCheckpointEntity } from './adapters/persistence/projection-checkpoint.entity';
import { TraceEventEntity } from './adapters/persistence/trace-event.entity';
import { TraceRunEntity } from './adapters/persistence/trace-run.entity';
import { RunQueries } from './adapters/persistence/run.queries';
import { TraceTables1763700000000 } from './adapters/persistence/migrations/1763700000000-trace-tables';
import { RunList1764100000000 } from './adapters/persistence/migrations/1764100000000-run-list';
import { RunDetails1764300000000 } from './adapters/persistence/migrations/1764300000000-run-details';
import { Alerts1764500000000 } from './adapters/persistence/migrations/1764500000000-alerts';
import { AlertSchedule } from './adapters/schedule/alert.schedule';
import { WebhookAlertNotifier } from './adapters/webhook/alert-webhook.notifier';
import { AlertEvaluator } from './application/alert-evaluator';
import { AlertMetrics } from './application/alert-metrics';
import {
  ALERT_NOTIFIER,
  CLOCK,
  silentAlertNotifier,
  systemClock,
  type Clock,
} from './application/alert.ports';
import { ProjectEventsHandler } from './application/project-events.handler';
import { RunMetrics } from './application/run-metrics';
import type { TraceStoreConfig } from './config';

export interface TraceStorePorts {
  /** Tests set the time alert windows end at. */
  clock?: Clock;
}

@Module({
  controllers: [TraceQueryController],
  providers: [ProjectEventsHandler, ProjectorConsumer, RunQueries, RunMetrics],
})
export class TraceStoreModule {
  static register(config: TraceStoreConfig, ports: TraceStorePorts = {}): DynamicModule {
    const webhook = config.alerts?.webhook;
    return {
      module: TraceStoreModule,
      providers: [
        { provide: CLOCK, useValue: ports.clock ?? systemClock },
        {
          provide: ALERT_NOTIFIER,
          useValue: webhook ? new WebhookAlertNotifier(webhook) : silentAlertNotifier,
        },
        AlertMeasures,
        AlertClaims,
        AlertControlBus,
        AlertMetrics,
        AlertEvaluator,
        AlertSchedule,
      ],
    };
  }
}

export function traceStoreService(
  config: TraceStoreConfig,
  ports: TraceStorePorts = {},
): ServiceDefinition {
  return {
    config,
    module: TraceStoreModule.register(config, ports),
    entities: [TraceEventEntity, TraceRunEntity, ProjectionCheckpointEntity],
    migrations: [
      TraceTables1763700000000,
      RunList1764100000000,
      RunDetails1764300000000,
      Alerts1764500000000,
    ],
  };
}

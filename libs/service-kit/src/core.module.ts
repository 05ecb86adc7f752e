import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TetherErrorFilter } from './error.filter';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Tracer } from '@opentelemetry/api';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { EventStore } from '@tether/event-store';
import type { BaseConfig } from './config';
import { HealthController } from './health.controller';
import { ServiceLifecycle } from './lifecycle';
import { MetricsController, createMetricsRegistry } from './metrics';
import { LOGGER, METRICS_REGISTRY, NATS_CONNECTION, SERVICE_CONFIG, TRACER } from './tokens';

export interface CoreModuleOptions {
  config: BaseConfig;
  nc: NatsConnection;
  dataSource: DataSource;
  logger: Logger;
  lifecycle: ServiceLifecycle;
  tracer: Tracer;
}

/** Global wiring every service shares: config, NATS, the event store, Postgres, health, metrics, tracing. */
@Global()
@Module({})
export class TetherCoreModule {
  static forRoot(o: CoreModuleOptions): DynamicModule {
    return {
      module: TetherCoreModule,
      imports: [
        TerminusModule,
        TypeOrmModule.forRootAsync({
          useFactory: () => o.dataSource.options,
          dataSourceFactory: async () =>
            o.dataSource.isInitialized ? o.dataSource : o.dataSource.initialize(),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_FILTER, useClass: TetherErrorFilter },
        { provide: SERVICE_CONFIG, useValue: o.config },
        { provide: NATS_CONNECTION, useValue: o.nc },
        { provide: LOGGER, useValue: o.logger },
        { provide: ServiceLifecycle, useValue: o.lifecycle },
        {
          provide: EventStore,
          useValue: new EventStore(o.nc, o.config.prefix, undefined, {
            offloadBytes: o.config.offloadBytes,
          }),
        },
        { provide: METRICS_REGISTRY, useValue: createMetricsRegistry(o.config.service) },
        { provide: TRACER, useValue: o.tracer },
      ],
      exports: [
        SERVICE_CONFIG,
        NATS_CONNECTION,
        LOGGER,
        EventStore,
        ServiceLifecycle,
        METRICS_REGISTRY,
        TRACER,
      ],
    };
  }
}

import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DEFAULT_STREAM_SETTINGS, connectNats, provisionStreams } from '@tether/event-store';
import { JetStreamServer, type ConsumerBinding } from './jetstream.server';
import type { BaseConfig } from './config';
import { TetherCoreModule } from './core.module';
import { dataSourceOptions, ensureDatabase, migrate } from './database';
import { ServiceLifecycle } from './lifecycle';
import { PinoNestLogger, createLogger } from './logger';
import { startTelemetry } from './telemetry';

export interface ServiceDefinition<C extends BaseConfig = BaseConfig> {
  config: C;
  /** The service's own module (controllers, consumers, providers). */
  module: Type | DynamicModule;
  entities?: DataSourceOptions['entities'];
  migrations?: DataSourceOptions['migrations'];
  /** Durable consumers feeding this service's `@EventPattern` handlers. */
  consumers?: ConsumerBinding[];
  /**
   * Last touches on the app before it starts listening (body parser limits, OpenAPI routes):
   * routes added after that would sit behind Nest's not-found handler.
   */
  configureApp?: (app: INestApplication) => void | Promise<void>;
}

export interface RunningService {
  config: BaseConfig;
  app: INestApplication;
  nc: NatsConnection;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Boots a service: NATS (streams provisioned), Postgres (database created, migrations run under
 * a lock), tracing (when configured), the Nest app with its JetStream transport, and HTTP for
 * health and metrics. Used by main.ts and by integration tests alike.
 */
export async function startService(def: ServiceDefinition): Promise<RunningService> {
  const { config } = def;
  const logger = createLogger(config.service, config.logLevel);
  const nc = await connectNats({
    url: config.natsUrl,
    name: `${config.service}@${config.version}#${process.pid}`,
  });
  await provisionStreams(await nc.jetstreamManager(), config.prefix, {
    ...DEFAULT_STREAM_SETTINGS,
    replicas: config.streamReplicas,
  });

  await ensureDatabase(config.databaseUrl);
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.databaseUrl,
      service: config.service,
      entities: def.entities ?? [],
      migrations: def.migrations ?? [],
    }),
  );
  await dataSource.initialize();
  const applied = await migrate(dataSource, `tether-migrations-${config.service}`);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const lifecycle = new ServiceLifecycle();
  const telemetry = startTelemetry(config);
  const app = await NestFactory.create(
    {
      module: class ServiceRoot {},
      imports: [
        TetherCoreModule.forRoot({
          config,
          nc,
          dataSource,
          logger,
          lifecycle,
          tracer: telemetry.tracer,
        }),
        def.module,
      ],
    },
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  app.connectMicroservice(
    {
      strategy: new JetStreamServer({
        nc,
        prefix: config.prefix,
        service: config.service,
        consumers: def.consumers ?? [],
      }),
    },
    { inheritAppConfig: true },
  );
  await def.configureApp?.(app);
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  logger.info({ port: config.http.port, prefix: config.prefix }, `${config.service} ready`);

  let closing: Promise<void> | undefined;
  return {
    config,
    app,
    nc,
    dataSource,
    close: () =>
      (closing ??= (async () => {
        lifecycle.drain();
        if (config.shutdownGraceMs > 0) {
          logger.info({ graceMs: config.shutdownGraceMs }, 'draining: /ready answers 503');
          await new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs));
        }
        // Stops taking connections, lets in-flight requests finish, then stops the consumers.
        await app.close();
        await nc.drain().catch(() => undefined);
        if (dataSource.isInitialized) await dataSource.destroy();
        // Last: the spans of the work that just finished are still buffered.
        await telemetry
          .shutdown()
          .catch((err: Error) => logger.warn({ err }, 'trace export failed'));
      })()),
  };
}

/** main.ts entry: start, then stop cleanly on SIGINT/SIGTERM (drain NATS, finish in-flight work). */
export async function runService(define: () => ServiceDefinition): Promise<void> {
  let service: RunningService;
  try {
    service = await startService(define());
  } catch (err) {
    // Configuration and connection problems are the usual cause: say which, without a stack.
    console.error(`failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  const { shutdownGraceMs } = service.config;
  const stop = async (signal: string) => {
    const timer = setTimeout(() => process.exit(1), 10_000 + shutdownGraceMs);
    timer.unref();
    try {
      await service.close();
    } finally {
      process.exit(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

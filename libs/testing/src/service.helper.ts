import type { AddressInfo } from 'node:net';
import { deleteStreams } from '@tether/event-store';
import { startService, type RunningService, type ServiceDefinition } from '@tether/service-kit';
import {
  connectTestNats,
  createTestDatabase,
  testEnv,
  uniquePrefix,
  type TestDatabase,
} from './infra.helper';

export interface IsolatedService {
  prefix: string;
  db: TestDatabase;
  sut: RunningService;
  /** The `/health` URL on the port the service actually listens on. */
  healthUrl(): string;
  stop(): Promise<void>;
}

/**
 * Starts one service in this process on its own prefix and database (the machine's real NATS
 * and Postgres); `stop()` removes both.
 */
export async function startIsolatedService(
  label: string,
  define: (env: NodeJS.ProcessEnv) => ServiceDefinition,
): Promise<IsolatedService> {
  const prefix = uniquePrefix(label);
  const db = await createTestDatabase(label);
  const sut = await startService(
    define({
      TETHER_PREFIX: prefix,
      TETHER_NATS_URL: testEnv.natsUrl,
      DATABASE_URL: db.url,
      TETHER_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    }),
  );
  return {
    prefix,
    db,
    sut,
    healthUrl: () =>
      `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}/health`,
    async stop() {
      await sut.close();
      const nc = await connectTestNats();
      await deleteStreams(await nc.jetstreamManager(), prefix);
      await nc.close();
      await db.drop();
    },
  };
}

/** Asserts the service's `/health` answers 200 with NATS and Postgres up. */
export async function expectHealthy(service: IsolatedService): Promise<void> {
  const res = await fetch(service.healthUrl());
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({
    status: 'ok',
    info: { nats: { status: 'up' }, postgres: { status: 'up' } },
  });
}

import type { AddressInfo } from 'node:net';
import { streamNames } from '@tether/contracts';
import { deleteStreams } from '@tether/event-store';
import { startService, type RunningService } from '@tether/service-kit';
import {
  connectTestNats,
  createTestDatabase,
  uniquePrefix,
  testEnv,
  type TestDatabase,
} from '../../../libs/testing/src/infra.helper';
import { loadConfig } from '../src/config';
import { gatewayService } from '../src/gateway.module';

describe('gateway service', () => {
  const prefix = uniquePrefix('gateway');
  let db: TestDatabase;
  let sut: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase('gateway');
    const config = loadConfig({
      TETHER_PREFIX: prefix,
      TETHER_NATS_URL: testEnv.natsUrl,
      DATABASE_URL: db.url,
      TETHER_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    sut = await startService(gatewayService(config));
  });
  afterAll(async () => {
    await sut?.close();
    const nc = await connectTestNats();
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
    await db?.drop();
  });

  it('listens on 3000 unless told otherwise', () => {
    expect(loadConfig({}).http.port).toBe(3000);
  });

  it('reports NATS and Postgres up on /health', async () => {
    const { port } = sut.app.getHttpServer().address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      info: { nats: { status: 'up' }, postgres: { status: 'up' } },
    });
  });

  it('provisions the bus streams and no tables of its own', async () => {
    const jsm = await sut.nc.jetstreamManager();
    for (const name of Object.values(streamNames(prefix)))
      expect((await jsm.streams.info(name)).config.name).toBe(name);
    const tables: Array<{ table_name: string }> = await sut.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations_gateway'`,
    );
    expect(tables).toEqual([]);
  });
});
